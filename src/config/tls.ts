// The [tls] section shared by the TCP trackers (aquatic_http serves HTTPS with it, aquatic_ws
// WSS): a PKCS#12 file, or PEM certificate and key files, reloaded on SIGUSR1.
import { boolean, section, string } from './schema.js';

/** `what` names the protocol served over TLS, e.g. "HTTPS" or "WSS (wss://)". */
export function tlsSection(what: string) {
  return section(`${what}.`, {
    use_tls: boolean(false, `Serve ${what}. Give a PKCS#12 file, or PEM certificate and key files. SIGUSR1 reloads them.`),
    tls_pkcs12_path: string('', { doc: 'PKCS#12 (.p12/.pfx) file with the certificate chain and key.' }),
    tls_pkcs12_password: string('', { doc: 'Password of the PKCS#12 file.' }),
    tls_certificate_path: string('', { doc: 'PEM certificate chain file (with tls_private_key_path).' }),
    tls_private_key_path: string('', { doc: 'PEM private key file.' }),
  });
}
