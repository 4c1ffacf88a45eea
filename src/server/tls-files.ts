// Reads the HTTPS certificate configured in [tls]: a PKCS#12 file, or PEM certificate and
// key files. Checked at start (and at each SIGUSR1 reload) with errors that name the key.
import { readFileSync } from 'node:fs';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import { AquaticError, ErrorCode } from '../errors.js';

export interface TlsFileConfig {
  readonly tls_pkcs12_path: string;
  readonly tls_pkcs12_password: string;
  readonly tls_certificate_path: string;
  readonly tls_private_key_path: string;
}

function read(path: string, key: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new AquaticError(ErrorCode.CONFIG_INVALID, `\`tls.${key}\`: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

/** Secure context options from the files, validated by building a context once. */
export function loadTlsFiles(config: TlsFileConfig): SecureContextOptions {
  let options: SecureContextOptions;
  if (config.tls_pkcs12_path !== '') {
    options = { pfx: read(config.tls_pkcs12_path, 'tls_pkcs12_path'), passphrase: config.tls_pkcs12_password };
  } else if (config.tls_certificate_path !== '' && config.tls_private_key_path !== '') {
    options = { cert: read(config.tls_certificate_path, 'tls_certificate_path'), key: read(config.tls_private_key_path, 'tls_private_key_path') };
  } else {
    throw new AquaticError(
      ErrorCode.CONFIG_INVALID,
      '`tls.use_tls` is true but no certificate is configured: set `tls.tls_pkcs12_path`, or `tls.tls_certificate_path` and `tls.tls_private_key_path`',
    );
  }
  try {
    createSecureContext(options);
  } catch (error) {
    throw new AquaticError(ErrorCode.CONFIG_INVALID, `the TLS certificate in [tls] cannot be used: ${(error as Error).message}`);
  }
  return options;
}

/**
 * Re-reads the certificate into a running server (SIGUSR1); a certificate that fails to
 * load leaves the old one in place.
 */
export function reloadTlsInto(
  config: TlsFileConfig & { readonly use_tls: boolean },
  server: { setSecureContext(options: SecureContextOptions): void },
  log: { info(message: string): void; error(message: string): void },
): void {
  if (!config.use_tls) return;
  try {
    server.setSecureContext(loadTlsFiles(config));
    log.info('TLS certificate reloaded');
  } catch (error) {
    log.error(`TLS certificate not reloaded, keeping the old one: ${(error as Error).message}`);
  }
}

/** Awaits a TCP listener, turning a failure into the error the CLI reports. */
export async function listenOrExplain(listening: Promise<number>, address: string): Promise<number> {
  try {
    return await listening;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new AquaticError(ErrorCode.BIND, `cannot listen on TCP ${address}: ${code}`, [], { cause: error });
  }
}
