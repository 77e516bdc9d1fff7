import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { HappyHorseApi } from '../credentials/HappyHorseApi.credentials';
import { HappyHorseTrigger } from '../nodes/HappyHorse/HappyHorseTrigger.node';

/**
 * The editor's Docs links (the node's codex, the credential's documentationUrl) lead to the
 * README in the repository that package.json names: there is no npm page before the first
 * release. Filling package.json's placeholders (RELEASING.md) without them fails here.
 */

const root = join(__dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { homepage: string };
const codex = JSON.parse(
	readFileSync(join(root, 'nodes', 'HappyHorse', 'HappyHorse.node.json'), 'utf8'),
) as { resources: Record<string, Array<{ url: string }>> };
const repository = pkg.homepage.replace(/#readme$/, '');

test("package.json's homepage is the README in a GitHub repository", () => {
	expect(pkg.homepage).toMatch(/^https:\/\/github\.com\/[^/]+\/[^/#]+#readme$/);
});

test('the node links to the README, and to its Credentials section for the credential', () => {
	expect(codex.resources.primaryDocumentation).toEqual([{ url: pkg.homepage }]);
	expect(codex.resources.credentialDocumentation).toEqual([{ url: `${repository}#credentials` }]);
});

test("the credential's documentation link is the README's Credentials section", () => {
	expect(new HappyHorseApi().documentationUrl).toBe(`${repository}#credentials`);
});

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function anchorOf(heading: string): string {
	return heading
		.trim()
		.toLowerCase()
		.replace(/[^\p{L}\p{N}\- _]/gu, '')
		.replace(/ /g, '-');
}

/** The anchors of a Markdown file's headings (outside code blocks). */
function anchorsIn(file: string): Set<string> {
	const anchors = new Set<string>();
	let fenced = false;
	for (const line of readFileSync(file, 'utf8').split('\n')) {
		if (line.startsWith('```')) fenced = !fenced;
		const heading = /^#{1,6} (.*)$/.exec(line);
		if (heading && !fenced) anchors.add(anchorOf(heading[1]));
	}
	return anchors;
}

/** The README and every page of docs/: a reader moves between them by these links. */
const markdownPages = [
	'README.md',
	...readdirSync(join(root, 'docs'))
		.filter((name) => name.endsWith('.md'))
		.map((name) => `docs/${name}`),
];

test.each(markdownPages)(
	'every relative link in %s leads to a file and heading that exist',
	(page) => {
		const broken: string[] = [];
		let fenced = false;
		for (const line of readFileSync(join(root, page), 'utf8').split('\n')) {
			if (line.startsWith('```')) fenced = !fenced;
			if (fenced) continue;
			for (const [, target] of line.matchAll(/\]\(([^)\s]+)\)/g)) {
				if (/^[a-z]+:/i.test(target)) continue;
				const [path, anchor] = target.split('#');
				const file = path === '' ? join(root, page) : join(root, dirname(page), path);
				if (!existsSync(file)) broken.push(`${target} (no such file)`);
				else if (anchor !== undefined && file.endsWith('.md') && !anchorsIn(file).has(anchor)) {
					broken.push(`${target} (no such heading)`);
				}
			}
		}
		expect(broken).toEqual([]);
	},
);

test("the trigger's Docs links and its setup notice lead to docs/TRIGGER.md in the same repository", () => {
	const triggerCodex = JSON.parse(
		readFileSync(join(root, 'nodes', 'HappyHorse', 'HappyHorseTrigger.node.json'), 'utf8'),
	) as { resources: Record<string, Array<{ url: string }>> };
	const guide = `${repository}/blob/main/docs/TRIGGER.md`;
	expect(triggerCodex.resources.primaryDocumentation).toEqual([{ url: guide }]);
	expect(triggerCodex.resources.credentialDocumentation).toEqual([
		{ url: `${repository}#credentials` },
	]);
	const notice = new HappyHorseTrigger().description.properties.find(
		(property) => property.type === 'notice',
	);
	expect(notice?.displayName).toContain(`href="${guide}"`);
});
