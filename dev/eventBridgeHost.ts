/**
 * EventBridge's certificate host, `cn-beijing-eventbridge.oss-accelerate.aliyuncs.com`, answered
 * on loopback so the HappyHorse Trigger's real check (host pattern, https on the default port,
 * bounded fetch) runs unchanged in real n8n: a throwaway CA and a marked /etc/hosts block from
 * dev/vendorHosts (shared with the endpoint tests), and a TLS server that serves the emulated
 * EventBridge's public key.
 *
 * The name is mapped to 127.0.0.2, not 127.0.0.1: the endpoint tests hold 127.0.0.1:443 for the
 * API host names at the same time, and both listen on port 443 because the URLs name no port.
 * The process that fetches (n8n) must start with NODE_EXTRA_CA_CERTS set to `caFile`; needs
 * root and `openssl`.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { createServer, type Server } from 'node:https';

import { makeThrowawayCa, serverCredentials } from './vendorHosts/ca';
import { addHostsBlock } from './vendorHosts/hostsFile';

const EVENTBRIDGE_CERTIFICATE_HOST = 'cn-beijing-eventbridge.oss-accelerate.aliyuncs.com';
const ADDRESS = '127.0.0.2';
const CERTIFICATE_PATH = '/x509_public_certificate.pem';

export interface EventBridgeCertificateHost {
	/** The URL EventBridge names in x-eventbridge-signature-url. */
	certificateUrl: string;
	/** For NODE_EXTRA_CA_CERTS of the process that fetches the certificate. */
	caFile: string;
	/** Every request the host got, in order. */
	requests: Array<{ path: string; headers: IncomingHttpHeaders }>;
	stop(): Promise<void>;
}

export async function startEventBridgeCertificateHost(
	publicKeyPem: string,
): Promise<EventBridgeCertificateHost> {
	const ca = makeThrowawayCa([EVENTBRIDGE_CERTIFICATE_HOST]);
	const requests: EventBridgeCertificateHost['requests'] = [];
	const server: Server = createServer(serverCredentials(ca), (req, res) => {
		requests.push({ path: req.url ?? '', headers: req.headers });
		if (req.method === 'GET' && req.url === CERTIFICATE_PATH) {
			res.writeHead(200, { 'content-type': 'application/x-pem-file' }).end(publicKeyPem);
		} else {
			res.writeHead(404).end();
		}
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(443, ADDRESS, () => resolve());
	});
	let hosts: { remove(): void };
	try {
		hosts = addHostsBlock([EVENTBRIDGE_CERTIFICATE_HOST], {
			address: ADDRESS,
			tag: 'happyhorse-eventbridge-host',
		});
	} catch (error) {
		server.close();
		ca.remove();
		throw error;
	}
	return {
		certificateUrl: `https://${EVENTBRIDGE_CERTIFICATE_HOST}${CERTIFICATE_PATH}`,
		caFile: ca.caFile,
		requests,
		stop: async () => {
			hosts.remove();
			await new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			});
			ca.remove();
		},
	};
}
