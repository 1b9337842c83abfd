// Which clients announce themselves as scripts or attack tools (KM-DT-024). Shared with the
// detector's header fast path, which must not skip an event this rule would judge.

// Clients people and scripts use by hand, and offensive tools that announce themselves.
const SCRIPTED = /^(curl|wget|python-requests|python-urllib|python-httpx|aiohttp|libwww-perl|httpie|postmanruntime|okhttp|ruby|java\/|go-http-client\/1\.1 \(kube-hunter)/i;
const OFFENSIVE = /(kube-hunter|peirates|kubiscan|kubeletctl|kdigger|botb|cdk\/|nmap|masscan|zgrab|nuclei|sqlmap|gobuster|ffuf|dirbuster|kubestriker|metasploit)/i;

export type UserAgentKind = 'offensive' | 'scripted' | 'ok';

// A cluster has few distinct user agents: classify each once.
const seen = new Map<string, UserAgentKind>();

export function userAgentKind(ua: string): UserAgentKind {
  let c = seen.get(ua);
  if (c === undefined) {
    c = OFFENSIVE.test(ua) ? 'offensive' : SCRIPTED.test(ua) ? 'scripted' : 'ok';
    if (seen.size > 10_000) seen.clear();
    seen.set(ua, c);
  }
  return c;
}
