import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The repository root, found upwards from this file: scripts run both from source (jest) and
 * compiled into .build/, so a fixed number of `..` would be wrong in one of them.
 */
export function repoRoot(): string {
	let dir = __dirname;
	for (;;) {
		const manifest = join(dir, 'package.json');
		if (existsSync(manifest)) {
			const { name } = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string };
			if (name === 'n8n-nodes-happyhorse') return dir;
		}
		const parent = dirname(dir);
		if (parent === dir) throw new Error(`No n8n-nodes-happyhorse package.json above ${__dirname}`);
		dir = parent;
	}
}

/**
 * A file of the test media (test/fixtures/media, made by its make-fixtures.sh): the examples,
 * `npm run dev` and the memory benchmark take their sample video and picture from there too.
 */
export function mediaFixture(file: string): string {
	return join(repoRoot(), 'test', 'fixtures', 'media', file);
}
