// Runs n8n's own community package scanner (@n8n/scan-community-package) on this package,
// locally, before it is published. The scanner's CLI only scans packages from the npm registry
// (it first checks npm provenance, then downloads the attested GitHub source and the tarball), so
// this script replays its two analysis legs with the scanner's exported analyzePackage():
//   1. the source leg: the repository itself, with the scanner's SOURCE_FILE_PATTERNS;
//   2. the tarball leg: `npm pack` output extracted with `tar --strip-components=1`, with the
//      patterns the CLI hard-codes for it (compiled .js and package.json).
// analyzePackage() fails only on ESLint errors and hands back a formatted text, so the lint
// results of that same run are captured to list every finding and to fail on warnings too.
// Exit code 0 means no errors and no warnings; anything else is exit code 1.
// Run it as `npm run scan` (which builds first). Options:
//   --package-dir <dir>  scan an already extracted package instead of packing this one
//   --source-dir <dir>   scan this source folder instead of the repository root
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';

const SCANNER = '@n8n/scan-community-package';
// Kept identical to the analyzePackage() call for the tarball in the scanner's
// analyzePackageByName(); the source leg uses its exported SOURCE_FILE_PATTERNS.
const TARBALL_FILE_PATTERNS = ['**/*.js', 'package.json'];

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const requireHere = createRequire(import.meta.url);
const scannerPath = requireHere.resolve(`${SCANNER}/scanner/scanner.mjs`);
const scannerVersion = requireHere(`${SCANNER}/package.json`).version;
// The scanner's own dependencies (its ESLint 9, tmp), resolved the way the scanner resolves them.
const requireScanner = createRequire(scannerPath);

const { values: options } = parseArgs({
	options: {
		'package-dir': { type: 'string' },
		'source-dir': { type: 'string' },
	},
});

const { analyzePackage, SOURCE_FILE_PATTERNS } = await import(pathToFileURL(scannerPath).href);
// Importing the scanner creates an empty temp folder for its registry downloads; let tmp remove
// it when the process exits.
requireScanner('tmp').setGracefulCleanup();

// Record the results of every ESLint run analyzePackage() makes: they carry warnings, which the
// scanner does not fail on and leaves out of its answer when there is no error.
const { ESLint } = requireScanner('eslint');
const lintFiles = ESLint.prototype.lintFiles;
let captured = null;
ESLint.prototype.lintFiles = async function (...args) {
	const results = await lintFiles.apply(this, args);
	captured?.push(...results);
	return results;
};

function run(command, args, cwd) {
	const result = spawnSync(command, args, {
		cwd,
		encoding: 'utf8',
		shell: process.platform === 'win32',
	});
	if (result.status !== 0) {
		throw new Error(
			`${command} ${args.join(' ')} failed (${result.error?.message ?? `exit code ${result.status}`})\n${result.stderr ?? ''}`,
		);
	}
	return result.stdout;
}

/** Packs this package like `npm publish` would and extracts it like the scanner's CLI does. */
function packAndExtract(workDir) {
	const packed = JSON.parse(
		run('npm', ['pack', '--json', '--pack-destination', workDir], repoRoot),
	)[0];
	const packageDir = path.join(workDir, 'package');
	fs.mkdirSync(packageDir);
	run('tar', ['-xzf', packed.filename, '-C', packageDir, '--strip-components=1'], workDir);
	console.log(`Packed ${packed.id} (${packed.entryCount} files) into ${packed.filename}`);
	return packageDir;
}

async function scanLeg(name, dir, patterns) {
	console.log(`\n== ${name}: ${dir}`);
	console.log(`   patterns: ${patterns.join(', ')}`);
	captured = [];
	const verdict = await analyzePackage(dir, patterns);
	const results = captured;
	captured = null;

	const problems = [];
	let findings = 0;
	for (const result of results) {
		const file = path.relative(dir, result.filePath) || result.filePath;
		for (const message of result.messages) {
			findings++;
			const severity = message.severity === 2 ? 'error' : 'warning';
			const rule = message.ruleId ?? (message.fatal ? 'parse error' : 'eslint');
			console.log(
				`   ${file}:${message.line ?? 0}:${message.column ?? 0}  ${severity}  ${message.message}  [${rule}]`,
			);
		}
	}
	const plural = (count, noun) => `${count} ${noun}${count === 1 ? '' : 's'}`;
	console.log(`   ${plural(results.length, 'file')} linted, ${plural(findings, 'finding')}`);

	if (!verdict.passed) {
		problems.push(`analyzePackage() failed: ${verdict.message}`);
		// The findings are listed above; print the scanner's own text only if it failed otherwise.
		if (findings === 0) {
			if (verdict.details) console.log(verdict.details);
			if (verdict.error) console.log(verdict.error);
		}
	}
	if (findings > 0) problems.push(plural(findings, 'finding'));
	if (results.length === 0) {
		// Either nothing matched (the scanner passes that; here it is a broken build or package) or
		// the scanner no longer lints through ESLint.lintFiles and this script must be updated.
		problems.push(verdict.message ?? 'no lint results were recorded');
	}
	console.log(
		problems.length === 0 ? `   ${name}: clean` : `   ${name}: FAILED (${problems.join('; ')})`,
	);
	return problems.length === 0;
}

let workDir = null;
try {
	console.log(`n8n community package scan with ${SCANNER}@${scannerVersion}`);
	let packageDir = options['package-dir'] && path.resolve(options['package-dir']);
	if (!packageDir) {
		workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'happyhorse-scan-'));
		packageDir = packAndExtract(workDir);
	}
	const sourceDir = path.resolve(options['source-dir'] ?? repoRoot);

	const sourceClean = await scanLeg('source', sourceDir, SOURCE_FILE_PATTERNS);
	const packageClean = await scanLeg('package', packageDir, TARBALL_FILE_PATTERNS);

	const manifest = path.join(packageDir, 'package.json');
	const { name, version } = JSON.parse(
		fs.readFileSync(
			fs.existsSync(manifest) ? manifest : path.join(repoRoot, 'package.json'),
			'utf8',
		),
	);
	if (sourceClean && packageClean) {
		console.log(
			`\nscan: clean - ${name}@${version} has no errors and no warnings from ${SCANNER}@${scannerVersion}`,
		);
		console.log(
			'(not checked locally: npm provenance, which the registry scan requires before it lints anything)',
		);
	} else {
		console.log(`\nscan: FAILED - ${name}@${version} does not pass ${SCANNER}@${scannerVersion}`);
		process.exitCode = 1;
	}
} catch (error) {
	console.error(`\nscan: FAILED - ${error.stack ?? error}`);
	process.exitCode = 1;
} finally {
	ESLint.prototype.lintFiles = lintFiles;
	if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
}
