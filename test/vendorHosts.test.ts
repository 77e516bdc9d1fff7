/**
 * The vendor-host suite (test/vendor/, run by its own jest): every endpoint variant's exact URLs
 * and headers at the API's own host names over TLS on loopback. This test makes what that suite
 * needs and that a running process cannot give itself: a throwaway CA (openssl) that only the
 * child trusts, by NODE_EXTRA_CA_CERTS at its start, and a marked /etc/hosts block mapping the
 * names to 127.0.0.1, removed afterwards. Needs root and openssl (the CI machine has both);
 * without them it fails with a clear message, it never skips.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { SHOW_N8N_LOGS } from '../dev/setup/env';
import { addHostsBlock, makeThrowawayCa } from '../dev/vendorHosts';
import { VARIANTS, VENDOR_HOST_NAMES, VENDOR_TLS_ENV } from './vendor/variants';

const REPO = join(__dirname, '..');

interface JestReport {
	numTotalTests: number;
	numPassedTests: number;
	numPendingTests: number;
	numTodoTests: number;
	testResults: Array<{
		message: string;
		assertionResults: Array<{ fullName: string; status: string; failureMessages: string[] }>;
	}>;
}

/** Runs the vendor-host jest in a process started with `env`; its report and what it printed. */
async function runVendorSuite(
	env: NodeJS.ProcessEnv,
): Promise<{ report?: JestReport; output: string }> {
	const reportFile = join(mkdtempSync(join(tmpdir(), 'happyhorse-vendor-report-')), 'report.json');
	const child = spawn(
		process.execPath,
		[
			join(REPO, 'node_modules', 'jest', 'bin', 'jest.js'),
			'-c',
			join(REPO, 'jest.vendor.config.js'),
			'--ci',
			'--json',
			`--outputFile=${reportFile}`,
		],
		{ cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] },
	);
	let output = '';
	for (const stream of [child.stdout, child.stderr]) {
		stream.setEncoding('utf8');
		stream.on('data', (chunk: string) => (output += chunk));
	}
	await new Promise((resolve) => child.once('close', resolve));
	try {
		return { report: JSON.parse(readFileSync(reportFile, 'utf8')) as JestReport, output };
	} catch {
		return { output };
	}
}

test('every endpoint variant: exact URLs and headers at its own host name, over TLS (test/vendor/)', async () => {
	const ca = makeThrowawayCa(VENDOR_HOST_NAMES);
	const hosts = addHostsBlock(VENDOR_HOST_NAMES);
	try {
		const env: NodeJS.ProcessEnv = {
			...process.env,
			NODE_EXTRA_CA_CERTS: ca.caFile,
			[VENDOR_TLS_ENV]: JSON.stringify({ certFile: ca.certFile, keyFile: ca.keyFile }),
		};
		// A proxy would get the names instead of the hosts block; the child is a jest of its own.
		for (const name of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'JEST_WORKER_ID'])
			delete env[name];
		const { report, output } = await runVendorSuite(env);
		if (SHOW_N8N_LOGS) process.stderr.write(output);
		if (!report) throw new Error(`The vendor-host suite wrote no report:\n${output}`);
		const results = report.testResults.flatMap((file) => file.assertionResults);
		const failures = results
			.filter((result) => result.status !== 'passed')
			.map(
				(result) => `${result.status}: ${result.fullName}\n${result.failureMessages.join('\n')}`,
			);
		const suiteErrors = report.testResults.map((file) => file.message).filter(Boolean);
		expect([...suiteErrors, ...failures]).toEqual([]);
		// Nothing skipped, and every variant ran.
		expect(report.numPassedTests).toBe(report.numTotalTests);
		for (const variant of VARIANTS) {
			expect(results.some((result) => result.fullName.startsWith(`${variant.label}:`))).toBe(true);
		}
	} finally {
		hosts.remove();
		ca.remove();
	}
}, 600_000);
