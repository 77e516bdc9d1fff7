/**
 * A throwaway certificate authority and one server certificate for the given host names, made
 * with `openssl` at test time. The process that should trust it gets the CA's file in
 * NODE_EXTRA_CA_CERTS when it starts (Node reads it then, never later); nothing else trusts it,
 * and the private keys live in a temporary folder that is removed again.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ThrowawayCa {
	/** The CA certificate (PEM): the value of NODE_EXTRA_CA_CERTS for the process under test. */
	caFile: string;
	/** The server certificate (PEM), for every name in `names` (subjectAltName). */
	certFile: string;
	keyFile: string;
	names: string[];
	/** Deletes the folder with the keys and certificates. */
	remove(): void;
}

/** A key the size of the real ones; P-256 makes it in milliseconds. */
const NEW_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function openssl(args: string[], cwd: string): void {
	try {
		execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
	} catch (error) {
		const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
		throw new Error(
			`openssl ${args[0]} failed (the vendor-host tests need the openssl command): ${stderr || String(error)}`,
		);
	}
}

export function makeThrowawayCa(names: string[], dir?: string): ThrowawayCa {
	const folder = dir ?? mkdtempSync(join(tmpdir(), 'happyhorse-vendor-ca-'));
	const file = (name: string) => join(folder, name);
	openssl(
		[
			'req',
			'-x509',
			...NEW_KEY,
			'-keyout',
			'ca.key',
			'-out',
			'ca.pem',
			'-days',
			'2',
			'-subj',
			'/CN=HappyHorse throwaway test CA',
			'-addext',
			'basicConstraints=critical,CA:TRUE',
			'-addext',
			'keyUsage=critical,keyCertSign,cRLSign',
		],
		folder,
	);
	writeFileSync(
		file('server.ext'),
		[
			`subjectAltName=${names.map((name) => `DNS:${name}`).join(',')}`,
			'basicConstraints=CA:FALSE',
			'keyUsage=critical,digitalSignature',
			'extendedKeyUsage=serverAuth',
			'',
		].join('\n'),
	);
	openssl(
		['req', ...NEW_KEY, '-keyout', 'server.key', '-out', 'server.csr', '-subj', `/CN=${names[0]}`],
		folder,
	);
	openssl(
		[
			'x509',
			'-req',
			'-in',
			'server.csr',
			'-CA',
			'ca.pem',
			'-CAkey',
			'ca.key',
			'-CAcreateserial',
			'-days',
			'2',
			'-extfile',
			'server.ext',
			'-out',
			'server.pem',
		],
		folder,
	);
	// Only the CA's certificate leaves this folder's use; its key is no longer needed.
	rmSync(file('ca.key'));
	return {
		caFile: file('ca.pem'),
		certFile: file('server.pem'),
		keyFile: file('server.key'),
		names: [...names],
		remove: () => rmSync(folder, { recursive: true, force: true }),
	};
}

/** The certificate and key of a CA made by makeThrowawayCa, for the TLS server. */
export function serverCredentials(ca: Pick<ThrowawayCa, 'certFile' | 'keyFile'>): {
	cert: Buffer;
	key: Buffer;
} {
	return { cert: readFileSync(ca.certFile), key: readFileSync(ca.keyFile) };
}
