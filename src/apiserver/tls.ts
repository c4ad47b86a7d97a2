// A self-signed serving certificate, generated at start-up for servers bound
// to a non-loopback address. kubectl (client-go) sends bearer tokens only over
// TLS, so token auth needs HTTPS; the certificate goes into the kubeconfig as
// certificate-authority-data, so kubectl verifies it with no extra flags.
//
// Node can make keys and signatures but not certificates, so the X.509 v3
// structure is DER-encoded here: an ECDSA P-256 key, CA:TRUE (the certificate
// is its own trust anchor), serverAuth, and subjectAltNames for localhost,
// the bound address and every local interface address.

import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';

function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let x = n; x > 0; x = Math.floor(x / 256)) bytes.unshift(x & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
const tlv = (tag: number, ...content: Buffer[]): Buffer => {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), len(body.length), body]);
};
const seq = (...c: Buffer[]) => tlv(0x30, ...c);
const set = (...c: Buffer[]) => tlv(0x31, ...c);
function int(b: Buffer): Buffer {
  let v = b;
  while (v.length > 1 && v[0] === 0 && (v[1] & 0x80) === 0) v = v.subarray(1);
  if (v[0] & 0x80) v = Buffer.concat([Buffer.from([0]), v]);
  return tlv(0x02, v);
}
function oid(s: string): Buffer {
  const parts = s.split('.').map(Number);
  const out = [parts[0] * 40 + parts[1]];
  for (const p of parts.slice(2)) {
    const stack = [p & 0x7f];
    for (let x = Math.floor(p / 128); x > 0; x = Math.floor(x / 128)) stack.unshift((x & 0x7f) | 0x80);
    out.push(...stack);
  }
  return tlv(0x06, Buffer.from(out));
}
function time(d: Date): Buffer {
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z'; // YYYYMMDDHHMMSSZ
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(iso.slice(2))) : tlv(0x18, Buffer.from(iso));
}
const name = (cn: string) => seq(set(seq(oid('2.5.4.3'), tlv(0x0c, Buffer.from(cn)))));
const ext = (id: string, critical: boolean, value: Buffer) => seq(oid(id), ...(critical ? [tlv(0x01, Buffer.from([0xff]))] : []), tlv(0x04, value));

function ipBytes(ip: string): Buffer | undefined {
  if (isIP(ip) === 4) return Buffer.from(ip.split('.').map(Number));
  if (isIP(ip) === 6) {
    const [head, tail = ''] = ip.split('::');
    const h = head ? head.split(':') : [];
    const t = tail ? tail.split(':') : [];
    const groups = ip.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
    return Buffer.concat(groups.map((g) => Buffer.from([parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff])));
  }
  return undefined;
}

export interface ServingCert {
  key: string; // PEM
  cert: string; // PEM
}

/** The names a certificate for `address` should carry. */
export function serverNames(address: string): { dns: string[]; ips: string[] } {
  const ips = new Set(['127.0.0.1', '::1']);
  if (isIP(address) && address !== '0.0.0.0' && address !== '::') ips.add(address);
  if (address === '0.0.0.0' || address === '::')
    for (const list of Object.values(networkInterfaces())) for (const i of list ?? []) ips.add(i.address.split('%')[0]);
  const dns = new Set(['localhost', hostname()]);
  if (!isIP(address)) dns.add(address);
  return { dns: [...dns], ips: [...ips] };
}

/** A fresh self-signed ECDSA P-256 certificate valid for ten years. */
export function selfSignedCert(names: { dns: string[]; ips: string[] }, commonName = 'choreo-apiserver'): ServingCert {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const now = Date.now();
  const alg = seq(oid('1.2.840.10045.4.3.2'));
  const san = seq(...names.dns.map((d) => tlv(0x82, Buffer.from(d))), ...names.ips.flatMap((ip) => (ipBytes(ip) ? [tlv(0x87, ipBytes(ip)!)] : [])));
  const tbs = seq(
    tlv(0xa0, int(Buffer.from([2]))),
    int(Buffer.concat([Buffer.from([0x01]), randomBytes(15)])),
    alg,
    name(commonName),
    seq(time(new Date(now - 3600_000)), time(new Date(now + 10 * 365 * 24 * 3600_000))),
    name(commonName),
    spki,
    tlv(
      0xa3,
      seq(
        ext('2.5.29.19', true, seq(tlv(0x01, Buffer.from([0xff])))),
        ext('2.5.29.15', true, tlv(0x03, Buffer.from([0x02, 0x84]))),
        ext('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.1'))),
        ext('2.5.29.17', false, san),
      ),
    ),
  );
  const signature = sign('sha256', tbs, privateKey);
  const der = seq(tbs, alg, tlv(0x03, Buffer.from([0]), signature));
  const pem = `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END CERTIFICATE-----\n`;
  return { key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), cert: pem };
}
