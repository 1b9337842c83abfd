# shellcheck shell=bash
# Configuration files for one profile: containerd, CNI, kubelet, audit,
# encryption. The insecure profile plants the weaknesses; hardened is the
# control.

write_configs() {
  mkdir -p "$CONF" "$CNI_CONF_DIR" "$CNI_DATA" "$AUDIT_DIR" "$STATIC_DIR" "$LOGS" \
    "$ETCD_DATA" "$KUBELET_ROOT" "$CTRD_ROOT" "$CTRD_STATE" "$PIDS" "$STATE/pod-logs" \
    "$STATE/cert-dir/controller-manager" "$STATE/cert-dir/scheduler"
  chmod 0700 "$ETCD_DATA"

  # Pods get no DNS server at all: nothing in the lab resolves names.
  printf '# kubemoat lab %s: no DNS server, pods resolve nothing\nsearch cluster.local\noptions ndots:1\n' \
    "$PROFILE" >"$CONF/resolv.conf"

  cat >"$CONF/containerd.toml" <<EOF
version = 2
root = "$CTRD_ROOT"
state = "$CTRD_STATE"
# this machine lacks CAP_SYS_RESOURCE: nobody may lower an oom_score_adj
oom_score = 0

[grpc]
  address = "$CTRD_SOCK"

[ttrpc]
  address = "$CTRD_SOCK.ttrpc"

[debug]
  address = ""

[metrics]
  address = ""

[plugins]
  [plugins."io.containerd.internal.v1.opt"]
    path = "$CTRD_ROOT/opt"
  [plugins."io.containerd.grpc.v1.cri"]
    sandbox_image = "$PAUSE_IMAGE"
    disable_apparmor = true
    restrict_oom_score_adj = true
    netns_mounts_under_state_dir = true
    stream_server_address = "127.0.0.1"
    stream_server_port = "0"
    enable_tls_streaming = false
    [plugins."io.containerd.grpc.v1.cri".containerd]
      snapshotter = "overlayfs"
      default_runtime_name = "runc"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
        runtime_type = "io.containerd.runc.v2"
        [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
          SystemdCgroup = false
          Root = "$RUN/runc"
    [plugins."io.containerd.grpc.v1.cri".cni]
      bin_dir = "/usr/lib/cni"
      conf_dir = "$CNI_CONF_DIR"
      max_conf_num = 1
    [plugins."io.containerd.grpc.v1.cri".registry]
      config_path = ""
EOF

  cat >"$CNI_CONF_DIR/10-kubemoat.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "kubemoat-$PROFILE",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "kmbr0",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$CNI_DATA",
        "ranges": [[{ "subnet": "$POD_CIDR", "gateway": "$POD_GW" }]],
        "routes": [{ "dst": "0.0.0.0/0" }]
      }
    }
  ]
}
EOF

  write_kubelet_config
  write_audit_policy
  if [[ $PROFILE == hardened ]]; then
    cat >"$CONF/encryption.yaml" <<EOF
apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: ["secrets"]
    providers:
      - secretbox:
          keys:
            - name: key1
              secret: $(head -c 32 /dev/urandom | base64 -w0)
      - identity: {}
EOF
    chmod 0600 "$CONF/encryption.yaml"
  fi
}

write_kubelet_config() {
  local anon webhook authz ro protect idle rotate extra
  if [[ $PROFILE == insecure ]]; then
    anon=true webhook=false authz=AlwaysAllow ro=$KUBELET_RO_PORT protect=false idle=0s rotate=false
    extra=""
  else
    # client certificate rotation (CIS 4.2.10): near expiry the kubelet asks for a new client
    # certificate through a CSR (the lab's certificates live a year; nothing here approves serving
    # certificates, so those stay static: serverTLSBootstrap off)
    anon=false webhook=true authz=Webhook ro=0 protect=true idle=5m rotate=true
    extra="seccompDefault: true
podPidsLimit: 4096
eventRecordQPS: 5
tlsMinVersion: VersionTLS12
tlsCipherSuites:
  - TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
  - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
  - TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
  - TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
  - TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
  - TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"
  fi
  cat >"$CONF/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: 0.0.0.0
port: $KUBELET_PORT
readOnlyPort: $ro
healthzBindAddress: 127.0.0.1
healthzPort: 10248
authentication:
  anonymous:
    enabled: $anon
  webhook:
    enabled: $webhook
    cacheTTL: 30s
  x509:
    clientCAFile: $PKI/ca.crt
authorization:
  mode: $authz
  webhook:
    cacheAuthorizedTTL: 30s
    cacheUnauthorizedTTL: 10s
tlsCertFile: $PKI/kubelet.crt
tlsPrivateKeyFile: $PKI/kubelet.key
rotateCertificates: $rotate
serverTLSBootstrap: false
staticPodPath: $STATIC_DIR
containerRuntimeEndpoint: unix://$CTRD_SOCK
cgroupDriver: cgroupfs
cgroupRoot: $CGROUP_ROOT
failCgroupV1: false
failSwapOn: false
resolvConf: $CONF/resolv.conf
clusterDomain: cluster.local
podLogsDir: $STATE/pod-logs
protectKernelDefaults: $protect
streamingConnectionIdleTimeout: $idle
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard:
  memory.available: 100Mi
  nodefs.available: 1%
  imagefs.available: 1%
syncFrequency: 10s
oomScoreAdj: 0
fileCheckFrequency: 5s
$extra
EOF
  # CIS 4.1.9; the insecure node leaves it world-readable like the rest of its files
  [[ $PROFILE == insecure ]] || chmod 0600 "$CONF/kubelet.yaml"
}

write_audit_policy() {
  cat >"$CONF/audit-policy.yaml" <<'EOF'
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
  # Noise: health checks, leases, events.
  - level: None
    nonResourceURLs: ["/healthz*", "/readyz*", "/livez*"]
  - level: None
    resources:
      - group: coordination.k8s.io
        resources: ["leases"]
  - level: None
    resources:
      - group: ""
        resources: ["events"]
      - group: events.k8s.io
        resources: ["events"]
  # Secrets and tokens: never their content.
  - level: Metadata
    resources:
      - group: ""
        resources: ["secrets", "configmaps", "serviceaccounts/token"]
      - group: authentication.k8s.io
        resources: ["tokenreviews"]
  # Commands and tunnels into pods and nodes.
  - level: Request
    resources:
      - group: ""
        resources: ["pods/exec", "pods/attach", "pods/portforward", "pods/proxy", "pods/ephemeralcontainers", "nodes/proxy", "services/proxy"]
  # Who may do what.
  - level: RequestResponse
    resources:
      - group: rbac.authorization.k8s.io
  # Workloads written: the pod spec (privileged, hostPath...) is in the request.
  - level: Request
    verbs: ["create", "update", "patch"]
    resources:
      - group: ""
        resources: ["pods", "serviceaccounts", "namespaces", "nodes"]
      - group: apps
      - group: batch
      - group: networking.k8s.io
      - group: admissionregistration.k8s.io
  - level: Metadata
EOF
}

write_audit_webhook() { # URL
  local url=$1 tls=""
  if [[ $url == https://* ]]; then
    if [[ -n ${KUBEMOAT_LAB_AUDIT_WEBHOOK_CA:-} ]]; then
      tls="    certificate-authority: $KUBEMOAT_LAB_AUDIT_WEBHOOK_CA"
    elif [[ $url == "$DEFAULT_AUDIT_WEBHOOK" ]]; then
      # the default sink serves pki/audit-sink.crt, signed by the cluster CA: verify it
      tls="    certificate-authority: $PKI/ca.crt"
    else
      tls="    insecure-skip-tls-verify: true"
    fi
  fi
  cat >"$CONF/audit-webhook.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: audit-sink
  cluster:
    server: $url
$tls
users:
- name: kube-apiserver
  user: {}
contexts:
- name: audit
  context:
    cluster: audit-sink
    user: kube-apiserver
current-context: audit
EOF
}
