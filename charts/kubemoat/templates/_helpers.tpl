{{/* Names and labels */}}
{{- define "kubemoat.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "kubemoat.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (include "kubemoat.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "kubemoat.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* "kubemoat.component" (list . "scan"): a name for one part, e.g. kubemoat-scan */}}
{{- define "kubemoat.component" -}}
{{- printf "%s-%s" (include "kubemoat.fullname" (index . 0)) (index . 1) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "kubemoat.selectorLabels" -}}
app.kubernetes.io/name: {{ include "kubemoat.name" (index . 0) }}
app.kubernetes.io/instance: {{ (index . 0).Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{- define "kubemoat.labels" -}}
{{ include "kubemoat.selectorLabels" . }}
app.kubernetes.io/version: {{ (index . 0).Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ (index . 0).Release.Service }}
helm.sh/chart: {{ printf "%s-%s" (index . 0).Chart.Name (index . 0).Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* Images */}}
{{- define "kubemoat.tag" -}}
{{- default .Chart.AppVersion .Values.image.tag -}}
{{- end -}}

{{- define "kubemoat.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (include "kubemoat.tag" .) -}}
{{- end -}}
{{- end -}}

{{- define "kubemoat.sensorImage" -}}
{{- if .Values.image.sensorDigest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.sensorDigest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default (printf "%s-node" (include "kubemoat.tag" .)) .Values.image.sensorTag) -}}
{{- end -}}
{{- end -}}

{{/* The history store */}}
{{- define "kubemoat.storeFromSecret" -}}
{{- if and .Values.store.enabled .Values.store.existingSecret.name -}}true{{- end -}}
{{- end -}}

{{/* PostgreSQL: a server every pod can share (a Secret's URL is taken to be one) */}}
{{- define "kubemoat.storeShared" -}}
{{- if .Values.store.enabled -}}
{{- if or .Values.store.existingSecret.name (regexMatch "^postgres(ql)?://" .Values.store.url) -}}true{{- end -}}
{{- end -}}
{{- end -}}

{{- define "kubemoat.storeSqlite" -}}
{{- if and .Values.store.enabled (not (include "kubemoat.storeShared" .)) -}}true{{- end -}}
{{- end -}}

{{/*
Lists are JSON arrays, read back with fromJsonArray: each template assembles its own args, env,
mounts and volumes from them and writes them with toYaml.
*/}}

{{/* --store for a URL in values (no credential in it); the Secret's URL comes through the environment */}}
{{- define "kubemoat.storeArgs" -}}
{{- if and .Values.store.enabled (not (include "kubemoat.storeFromSecret" .)) -}}
{{- list "--store" .Values.store.url | toJson -}}
{{- else -}}[]{{- end -}}
{{- end -}}

{{- define "kubemoat.storeEnv" -}}
{{- if include "kubemoat.storeFromSecret" . -}}
{{- list (dict "name" "KUBEMOAT_STORE" "valueFrom" (dict "secretKeyRef" (dict "name" .Values.store.existingSecret.name "key" .Values.store.existingSecret.key))) | toJson -}}
{{- else -}}[]{{- end -}}
{{- end -}}

{{- define "kubemoat.storeClaim" -}}
{{- default (include "kubemoat.component" (list . "store")) .Values.store.volume.pvc.existingClaim -}}
{{- end -}}

{{/* Environment of every container: the API server's address where ClusterIPs are unreachable */}}
{{- define "kubemoat.env" -}}
{{- if .Values.apiServer.host -}}
{{- list (dict "name" "KUBERNETES_SERVICE_HOST" "value" (toString .Values.apiServer.host)) (dict "name" "KUBERNETES_SERVICE_PORT" "value" (toString .Values.apiServer.port)) | toJson -}}
{{- else -}}[]{{- end -}}
{{- end -}}

{{/* The config file (values `config` and `skipNamespaces`), when there is anything in it */}}
{{- define "kubemoat.configDoc" -}}
{{- $config := deepCopy .Values.config -}}
{{- $ignore := default (list) (get $config "ignore") -}}
{{- range .Values.skipNamespaces -}}
{{- $ignore = append $ignore (dict "rule" "*" "resource" (dict "namespace" .name) "reason" (required "skipNamespaces: every entry needs a reason" .reason)) -}}
{{- end -}}
{{- if $ignore -}}{{- $_ := set $config "ignore" $ignore -}}{{- end -}}
{{- if $config -}}{{- toYaml $config -}}{{- end -}}
{{- end -}}

{{- define "kubemoat.configArgs" -}}
{{- if include "kubemoat.configDoc" . -}}
{{- list "--config" "/etc/kubemoat/config/kubemoat.yaml" | toJson -}}
{{- else -}}[]{{- end -}}
{{- end -}}

{{- define "kubemoat.configMounts" -}}
{{- if include "kubemoat.configDoc" . -}}
{{- list (dict "name" "config" "mountPath" "/etc/kubemoat/config" "readOnly" true) | toJson -}}
{{- else -}}[]{{- end -}}
{{- end -}}

{{- define "kubemoat.configVolumes" -}}
{{- if include "kubemoat.configDoc" . -}}
{{- list (dict "name" "config" "configMap" (dict "name" (include "kubemoat.component" (list . "config")))) | toJson -}}
{{- else -}}[]{{- end -}}
{{- end -}}

{{/* Alert sinks of the detect containers */}}
{{- define "kubemoat.sinkArgs" -}}
{{- $args := list -}}
{{- range .Values.sinks.syslog -}}{{- $args = concat $args (list "--syslog" .) -}}{{- end -}}
{{- if .Values.sinks.syslog -}}{{- $args = concat $args (list "--syslog-facility" .Values.sinks.syslogFacility) -}}{{- end -}}
{{- range .Values.sinks.webhook -}}{{- $args = concat $args (list "--webhook" .) -}}{{- end -}}
{{- toJson $args -}}
{{- end -}}

{{/* Security contexts */}}
{{- define "kubemoat.podSecurityNonRoot" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
fsGroup: 65532
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "kubemoat.containerSecurityNonRoot" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
readOnlyRootFilesystem: true
allowPrivilegeEscalation: false
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* The sensor's (pass its capability list): root (values.yaml `sensor`), only those capabilities */}}
{{- define "kubemoat.containerSecuritySensor" -}}
runAsNonRoot: false
runAsUser: 0
runAsGroup: 0
readOnlyRootFilesystem: true
allowPrivilegeEscalation: false
privileged: false
capabilities:
  drop: [ALL]
  {{- with . }}
  add: {{ toJson . }}
  {{- end }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/*
Suppression annotations from (dict "KM-WL-002" "reason" …): one kubemoat.io/ignore with every id,
one kubemoat.io/ignore-reason naming each id with its reason.
*/}}
{{- define "kubemoat.ignoreAnnotations" -}}
{{- $reasons := list -}}
{{- range $id := keys . | sortAlpha -}}{{- $reasons = append $reasons (printf "%s: %s" $id (get $ $id)) -}}{{- end -}}
kubemoat.io/ignore: {{ keys . | sortAlpha | join "," | quote }}
kubemoat.io/ignore-reason: {{ join "; " $reasons | quote }}
{{- end -}}

{{/* "host:port", an IPv6 address in brackets */}}
{{- define "kubemoat.hostPort" -}}
{{- $host := index . 0 | toString -}}
{{- if contains ":" $host }}[{{ $host }}]{{ else }}{{ $host }}{{ end }}:{{ index . 1 }}
{{- end -}}

{{/* The SQLite file's directory must be the store volume, or the file would land on a read-only root */}}
{{- define "kubemoat.checkSqlitePath" -}}
{{- if include "kubemoat.storeSqlite" . -}}
{{- $path := regexReplaceAll "^sqlite:(//)?" .Values.store.url "" -}}
{{- if not (hasPrefix (printf "%s/" (trimSuffix "/" .Values.store.volume.mountPath)) $path) -}}
{{- fail (printf "store.url %s: an SQLite file must be under store.volume.mountPath (%s), the only writable place" .Values.store.url .Values.store.volume.mountPath) -}}
{{- end -}}
{{- end -}}
{{- end -}}
