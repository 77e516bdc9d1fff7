// prepublishOnly: refuses `npm publish` anywhere but the tag-triggered publish workflow
// (.github/workflows/publish.yml), the way @n8n/node-cli's `prerelease` refuses a publish outside
// its `release` command. A publish goes through only when all of these hold:
//   - it runs in GitHub Actions (GITHUB_ACTIONS=true),
//   - the job can mint an OIDC token (ACTIONS_ID_TOKEN_REQUEST_URL and _TOKEN are set, which
//     `permissions: id-token: write` does): npm trusted publishing and provenance both need it,
//   - provenance is on (`npm publish --provenance`, seen by scripts as npm_config_provenance=true),
//   - npm is 11.5.1 or newer (the first with trusted publishing),
//   - package.json has no OWNER placeholder left and its repository is the repository the
//     workflow runs in (npm rejects a provenance statement for another repository),
//   - the workflow runs for the tag v<version> of package.json's version.
// The project's .npmrc sets ignore-scripts=true, under which npm skips prepublishOnly: the
// publish workflow passes --ignore-scripts=false, and publishConfig.provenance=true in
// package.json stops a publish from anywhere else regardless (npm cannot sign outside CI).
// Exit code 0 lets the publish go on; 1 refuses it, listing why.
import fs from 'node:fs';

const MIN_NPM = [11, 5, 1];
const PLACEHOLDER = 'OWNER';

const env = process.env;
const pkg = JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const problems = [];

if (env.GITHUB_ACTIONS !== 'true') {
	problems.push('not running in GitHub Actions (GITHUB_ACTIONS is not "true")');
}
if (!env.ACTIONS_ID_TOKEN_REQUEST_URL || !env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) {
	problems.push(
		'no OIDC token can be requested (ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN unset): the job needs `permissions: id-token: write`',
	);
}
if (env.npm_config_provenance !== 'true') {
	problems.push('provenance is off: publish with `npm publish --provenance`');
}

const npmVersion = /\bnpm\/(\d+)\.(\d+)\.(\d+)/.exec(env.npm_config_user_agent ?? '');
if (!npmVersion) {
	problems.push('not run by npm (no npm/x.y.z in npm_config_user_agent)');
} else {
	const found = npmVersion.slice(1).map(Number);
	const older = found.findIndex((part, i) => part !== MIN_NPM[i]);
	if (older !== -1 && found[older] < MIN_NPM[older]) {
		problems.push(
			`npm ${found.join('.')} has no trusted publishing: ${MIN_NPM.join('.')} or newer is needed`,
		);
	}
}

const identity = {
	homepage: pkg.homepage,
	repository: typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url,
	bugs: typeof pkg.bugs === 'string' ? pkg.bugs : pkg.bugs?.url,
	'author.name': typeof pkg.author === 'string' ? pkg.author : pkg.author?.name,
	'author.email': pkg.author?.email,
	'author.url': pkg.author?.url,
};
const unfilled = Object.keys(identity).filter((key) => identity[key]?.includes(PLACEHOLDER));
if (unfilled.length > 0) {
	problems.push(
		`package.json still has the ${PLACEHOLDER} placeholder in ${unfilled.join(', ')} (see RELEASING.md)`,
	);
}
if (env.GITHUB_REPOSITORY) {
	const expected = `git+https://github.com/${env.GITHUB_REPOSITORY}.git`;
	if (identity.repository?.toLowerCase() !== expected.toLowerCase()) {
		problems.push(
			`repository.url is ${identity.repository ?? 'missing'}, but this workflow runs in ${expected}`,
		);
	}
}

const tagRef = `refs/tags/v${pkg.version}`;
if (env.GITHUB_ACTIONS === 'true' && env.GITHUB_REF !== tagRef) {
	problems.push(`GITHUB_REF is ${env.GITHUB_REF ?? 'unset'}, not ${tagRef}`);
}

if (problems.length > 0) {
	console.error(`prepublish-guard: refusing to publish ${pkg.name}@${pkg.version}:`);
	for (const problem of problems) console.error(`  - ${problem}`);
	console.error(
		'Releases are published by .github/workflows/publish.yml when a tag vX.Y.Z is pushed (RELEASING.md).',
	);
	process.exit(1);
}
console.log(
	`prepublish-guard: ${pkg.name}@${pkg.version} may be published (GitHub Actions, OIDC, provenance, ${tagRef})`,
);
