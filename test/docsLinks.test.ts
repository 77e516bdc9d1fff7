import { readFileSync } from 'node:fs';
import { join } from 'node:path';

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
