// What the published tarball holds: `npm pack --dry-run --json` (exactly what `npm publish`
// would upload) must list only the compiled package in dist/, README.md, LICENSE, package.json
// and the `main` entry point (index.js, which npm always packs), with every file package.json's
// "n8n" section registers present, nothing test-like in dist/ (tests, fixtures, their source
// maps, caches, build info), and a packed size within the budget. Any offending file is listed.
// Run it after `npm run build`, as `npm run check:pack`. Exit code 0 means the tarball is fine.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Packed (gzipped) size budget. The package was 75 kB packed at 0.1.0. */
const BUDGET_BYTES = 150_000;

const ALLOWED_FILES = new Set(['package.json', 'README.md', 'LICENSE']);
const ALLOWED_DIR = 'dist/';
/** Files under dist/ that come from tests or tooling, never from nodes/ or credentials/. */
const FORBIDDEN_IN_DIST = [
	{
		pattern: /(^|\/)(test|tests|__tests__|__mocks__|fixtures|e2e|emulator|harness)\//,
		why: 'test',
	},
	{ pattern: /\.(test|spec|e2e)\.[cm]?[jt]s(\.map)?$/, why: 'test' },
	{ pattern: /(^|\/)(\.cache|coverage|node_modules|\.n8n-dev|\.build)\//, why: 'cache' },
	{ pattern: /\.(tsbuildinfo|tgz|log)$/, why: 'build leftover' },
];

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const kB = (bytes) => `${(bytes / 1000).toFixed(1)} kB`;

function pack() {
	const result = spawnSync('npm', ['pack', '--dry-run', '--json'], {
		cwd: repoRoot,
		encoding: 'utf8',
		shell: process.platform === 'win32',
	});
	if (result.status !== 0) {
		throw new Error(`npm pack --dry-run failed (exit code ${result.status})\n${result.stderr}`);
	}
	return JSON.parse(result.stdout)[0];
}

try {
	const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
	const packed = pack();
	const files = packed.files.map((file) => file.path);
	const shipped = new Set(files);
	const main = manifest.main && path.posix.normalize(manifest.main);

	const problems = [];
	const offending = [];
	for (const file of files) {
		if (ALLOWED_FILES.has(file) || file === main) continue;
		if (!file.startsWith(ALLOWED_DIR)) {
			offending.push(`${file}  (outside ${ALLOWED_DIR})`);
			continue;
		}
		const rule = FORBIDDEN_IN_DIST.find(({ pattern }) => pattern.test(file));
		if (rule) offending.push(`${file}  (${rule.why} file in ${ALLOWED_DIR})`);
	}
	if (offending.length > 0) {
		problems.push(
			`${offending.length} file(s) that must not ship:\n    ${offending.join('\n    ')}`,
		);
	}

	const required = [
		'package.json',
		'README.md',
		'LICENSE',
		...(main ? [main] : []),
		...(manifest.n8n?.nodes ?? []),
		...(manifest.n8n?.credentials ?? []),
	].map((file) => path.posix.normalize(file));
	const missing = required.filter((file) => !shipped.has(file));
	if (missing.length > 0) {
		problems.push(`missing from the tarball (run \`npm run build\` first?): ${missing.join(', ')}`);
	}

	console.log(
		`${packed.id}: ${packed.entryCount} files, ${kB(packed.unpackedSize)} unpacked, ${packed.filename}`,
	);
	console.log(`packed ${kB(packed.size)} of ${kB(BUDGET_BYTES)} budget`);
	if (packed.size > BUDGET_BYTES) {
		problems.push(`packed size ${kB(packed.size)} is over the ${kB(BUDGET_BYTES)} budget`);
	}

	if (problems.length > 0) {
		console.log(`check:pack: FAILED\n  - ${problems.join('\n  - ')}`);
		process.exitCode = 1;
	} else {
		console.log('check:pack: clean - only dist/, README.md, LICENSE, package.json and main ship');
	}
} catch (error) {
	console.error(`check:pack: FAILED - ${error.stack ?? error}`);
	process.exitCode = 1;
}
