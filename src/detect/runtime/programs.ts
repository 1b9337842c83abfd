// Names of programs the runtime rules look for. Facts about attacker tooling (which miners, which
// network tools) gathered from public incident reports and detection rule sets; the lists are ours.

export const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'mksh', 'csh', 'tcsh', 'fish', 'busybox']);

/** Miners seen in Kubernetes campaigns (TeamTNT, Kinsing, Hildegard, Sysrv) and common pool clients. */
export const MINERS = new Set(['xmrig', 'xmrig-notls', 'xmr-stak', 'xmr-stak-cpu', 'minerd', 'cpuminer', 'cpuminer-multi', 'ccminer', 'ethminer', 'nbminer', 't-rex', 'lolminer', 'phoenixminer', 'nanominer', 'gminer', 'teamredminer', 'srbminer', 'srbminer-multi', 'bminer', 'kdevtmpfsi', 'kinsing', 'xmrigdaemon', 'cryptonight', 'nheqminer', 'wildrig']);

/** Argument shapes only a miner uses: a stratum pool URL, the donation and algorithm flags. */
export const MINER_ARGS = /stratum\d?\+(?:tcp|ssl|tls|ws)s?:\/\/|(?:^|\s)--donate-level(?:=|\s|$)|(?:^|\s)(?:-a|--algo)[=\s]+(?:rx\/0|cryptonight|randomx|ethash|kawpow|cn\/r)\b|(?:^|\s)--coin[=\s]+(?:monero|xmr)\b/i;

/** Ports mining pools listen on (stratum): a connection to one from a workload is worth a look. */
export const POOL_PORTS = new Set([3333, 3334, 4444, 5555, 5556, 6666, 7777, 8888, 9999, 14433, 14444, 45560, 45700]);

/** Tools that map or move through a network: rarely part of a workload, common in an intrusion. */
export const NETWORK_TOOLS = new Set(['nmap', 'masscan', 'zmap', 'nc', 'ncat', 'netcat', 'socat', 'telnet', 'hping3', 'tcpdump', 'tshark', 'arp-scan', 'nping', 'rustscan', 'naabu', 'kube-hunter', 'amicontained', 'peirates', 'cdk', 'deepce', 'kubeletctl']);

/** Metadata endpoints of the clouds (instance credentials): AWS/GCP/Azure/OpenStack, Alibaba, Oracle's v6. */
export const METADATA_ADDRESSES = new Set(['169.254.169.254', 'fd00:ec2::254', '100.100.100.200', '169.254.170.2']);

/** Ports of the node's control-plane doors a workload has no business calling. */
export const KUBELET_PORTS = new Set([10250, 10255]);
export const ETCD_PORTS = new Set([2379, 2380]);

/** Directories where a binary dropped at run time usually lands (writable, often tmpfs). */
export const DROP_DIRS = ['/tmp/', '/dev/shm/', '/var/tmp/', '/run/', '/dev/mqueue/'];
