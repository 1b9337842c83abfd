# shellcheck shell=bash
# Certificates and kubeconfigs for one profile, made with openssl.

# mkca DIR/NAME CN
mkca() {
  local base=$1 cn=$2
  openssl genrsa -out "$base.key" 2048 2>/dev/null
  openssl req -x509 -new -key "$base.key" -sha256 -days 3650 -subj "/CN=$cn" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
    -out "$base.crt" 2>/dev/null
}

# mkcert OUTBASE CABASE SUBJECT USAGE [SAN]
#   USAGE: server | client | peer (both)
mkcert() {
  local out=$1 ca=$2 subj=$3 usage=$4 san=${5:-} ext eku
  case $usage in
    server) eku=serverAuth ;;
    client) eku=clientAuth ;;
    peer) eku=serverAuth,clientAuth ;;
  esac
  ext=$(mktemp)
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$eku"
    [[ -n $san ]] && echo "subjectAltName=$san"
  } >"$ext"
  openssl genrsa -out "$out.key" 2048 2>/dev/null
  openssl req -new -key "$out.key" -subj "$subj" -out "$out.csr" 2>/dev/null
  openssl x509 -req -in "$out.csr" -CA "$ca.crt" -CAkey "$ca.key" -set_serial "0x$(openssl rand -hex 16)" \
    -days 365 -sha256 -extfile "$ext" -out "$out.crt" 2>/dev/null
  rm -f "$out.csr" "$ext"
}

# mkkubeconfig FILE USER CERTBASE [SERVER]
mkkubeconfig() {
  local file=$1 user=$2 cert=$3 server=${4:-$API_URL}
  cat >"$file" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: $NODE_NAME
  cluster:
    server: $server
    certificate-authority-data: $(base64 -w0 "$PKI/ca.crt")
users:
- name: $user
  user:
    client-certificate-data: $(base64 -w0 "$cert.crt")
    client-key-data: $(base64 -w0 "$cert.key")
contexts:
- name: $user@$NODE_NAME
  context:
    cluster: $NODE_NAME
    user: $user
current-context: $user@$NODE_NAME
EOF
}

make_pki() {
  local san_api san_node
  mkdir -p "$PKI" "$KCFG"
  mkca "$PKI/ca" "kubemoat-lab-$PROFILE-ca"
  san_api="DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,DNS:localhost,DNS:$NODE_NAME,IP:$NODE_IP,IP:$SERVICE_IP,IP:127.0.0.1"
  san_node="DNS:$NODE_NAME,DNS:localhost,IP:$NODE_IP,IP:127.0.0.1"
  mkcert "$PKI/apiserver" "$PKI/ca" "/CN=kube-apiserver" server "$san_api"
  mkcert "$PKI/apiserver-kubelet-client" "$PKI/ca" "/O=system:masters/CN=kube-apiserver-kubelet-client" client
  mkcert "$PKI/kubelet" "$PKI/ca" "/CN=system:node:$NODE_NAME" server "$san_node"
  mkcert "$PKI/audit-sink" "$PKI/ca" "/CN=kubemoat-audit-sink" server "$san_node"
  mkcert "$PKI/kubelet-client" "$PKI/ca" "/O=system:nodes/CN=system:node:$NODE_NAME" client
  mkcert "$PKI/admin" "$PKI/ca" "/O=system:masters/CN=kubemoat-admin" client
  mkcert "$PKI/user" "$PKI/ca" "/O=kubemoat-users/CN=kubemoat-user" client
  mkcert "$PKI/controller-manager" "$PKI/ca" "/CN=system:kube-controller-manager" client
  mkcert "$PKI/scheduler" "$PKI/ca" "/CN=system:kube-scheduler" client
  openssl genrsa -out "$PKI/sa.key" 2048 2>/dev/null
  openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null

  # etcd: insecure shares the cluster CA; hardened has its own.
  mkdir -p "$PKI/etcd"
  local etcd_ca=$PKI/ca
  if [[ $PROFILE == hardened ]]; then
    etcd_ca=$PKI/etcd/ca
    mkca "$etcd_ca" "kubemoat-lab-$PROFILE-etcd-ca"
  fi
  mkcert "$PKI/etcd/server" "$etcd_ca" "/CN=etcd-$NODE_NAME" peer "$san_node"
  mkcert "$PKI/etcd/peer" "$etcd_ca" "/CN=etcd-$NODE_NAME" peer "$san_node"
  mkcert "$PKI/apiserver-etcd-client" "$etcd_ca" "/CN=kube-apiserver-etcd-client" client

  mkkubeconfig "$KCFG/admin.conf" kubemoat-admin "$PKI/admin"
  mkkubeconfig "$KCFG/user.conf" kubemoat-user "$PKI/user"
  mkkubeconfig "$KCFG/kubelet.conf" "system:node:$NODE_NAME" "$PKI/kubelet-client"
  mkkubeconfig "$KCFG/controller-manager.conf" system:kube-controller-manager "$PKI/controller-manager"
  mkkubeconfig "$KCFG/scheduler.conf" system:kube-scheduler "$PKI/scheduler"

  if [[ $PROFILE == insecure ]]; then
    # Planted: keys and kubeconfigs readable by everyone on the node.
    chmod 0644 "$PKI"/*.key "$PKI"/etcd/*.key "$KCFG"/*.conf
    chmod 0755 "$PKI" "$KCFG"
  else
    chmod 0600 "$PKI"/*.key "$PKI"/etcd/*.key "$KCFG"/*.conf
    chmod 0700 "$PKI" "$KCFG"
  fi
  if [[ $PROFILE == insecure ]]; then
    chmod 0644 "$PKI"/*.crt "$PKI"/etcd/*.crt
  else
    chmod 0600 "$PKI"/*.crt "$PKI"/etcd/*.crt # CIS 1.1.20, 4.1.7
  fi
}
