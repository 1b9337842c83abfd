// The subject of a PKCS#10 certificate signing request (the `spec.request` of a Kubernetes CSR: a
// base64 PEM). Kubernetes takes a client certificate's user from the subject's CN and its groups
// from O, so those two are what a detection rule needs. Only the DER structure down to the subject
// is read (CertificationRequest → CertificationRequestInfo → version, subject); anything else, or
// anything malformed, gives undefined: the caller still alerts, without the names.

export interface CsrSubject {
  commonName: string;
  organizations: string[];
}

interface Tlv {
  tag: number;
  start: number;
  end: number;
}

/** One DER element at `at`, or undefined when it runs past `limit` (long lengths up to 4 bytes). */
function tlv(der: Uint8Array, at: number, limit: number): Tlv | undefined {
  if (at + 2 > limit) return undefined;
  const tag = der[at];
  let len = der[at + 1];
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || start + n > limit) return undefined;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + der[start + i];
    start += n;
  }
  const end = start + len;
  return end > limit ? undefined : { tag, start, end };
}

function children(der: Uint8Array, parent: Tlv): Tlv[] | undefined {
  const out: Tlv[] = [];
  for (let at = parent.start; at < parent.end; ) {
    const t = tlv(der, at, parent.end);
    if (!t) return undefined;
    out.push(t);
    at = t.end;
  }
  return out;
}

const SEQUENCE = 0x30;
const SET = 0x31;
const OID = 0x06;
/** 2.5.4.3 commonName, 2.5.4.10 organizationName (their DER content bytes, in decimal) */
const CN = '85.4.3';
const O = '85.4.10';
/** UTF8String, PrintableString, T61String, IA5String, BMPString is left out (Kubernetes' Go client never writes it) */
const STRING_TAGS = new Set([0x0c, 0x13, 0x14, 0x16]);

function subjectOf(der: Uint8Array): CsrSubject | undefined {
  const outer = tlv(der, 0, der.length);
  if (!outer || outer.tag !== SEQUENCE) return undefined;
  const info = children(der, outer)?.[0];
  if (!info || info.tag !== SEQUENCE) return undefined;
  const subject = children(der, info)?.[1];
  if (!subject || subject.tag !== SEQUENCE) return undefined;
  const out: CsrSubject = { commonName: '', organizations: [] };
  for (const rdn of children(der, subject) ?? []) {
    if (rdn.tag !== SET) return undefined;
    for (const atv of children(der, rdn) ?? []) {
      const [type, value] = children(der, atv) ?? [];
      if (!type || !value || type.tag !== OID || !STRING_TAGS.has(value.tag)) continue;
      const oid = der.subarray(type.start, type.end).join('.');
      const text = Buffer.from(der.subarray(value.start, value.end)).toString('utf8');
      if (oid === CN) out.commonName = text;
      else if (oid === O) out.organizations.push(text);
    }
  }
  return out;
}

/** The subject of `spec.request` (base64 of a PEM CERTIFICATE REQUEST), or undefined. */
export function csrSubject(request: string): CsrSubject | undefined {
  const pem = Buffer.from(request, 'base64').toString('latin1');
  const m = /-----BEGIN (?:NEW )?CERTIFICATE REQUEST-----([A-Za-z0-9+/=\s]+)-----END (?:NEW )?CERTIFICATE REQUEST-----/.exec(pem);
  if (!m) return undefined;
  return subjectOf(new Uint8Array(Buffer.from(m[1].replace(/\s+/g, ''), 'base64')));
}
