import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { LIST_PRICES, listPriceRange } from '../nodes/HappyHorse/schemas/prices';

/**
 * The node's one price table (schemas/prices.ts) is the one the docs print: docs/COSTS.md's
 * rows and the README's summary are checked against it, so a price changed in one place and not
 * the other fails here.
 */

const root = join(__dirname, '..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');

const REGION_NAMES: Record<string, string> = {
	beijing: 'Beijing',
	singapore: 'Singapore',
	us: 'US (Virginia)',
	frankfurt: 'Frankfurt',
};

test.each(LIST_PRICES.map((row) => [row.regions.join(', '), row.version, row] as const))(
	'docs/COSTS.md prints the list prices of %s, model %s',
	(_regions, _version, row) => {
		const cells = (['480P', '720P', '1080P'] as const).map((resolution) =>
			String(row.perSecond[resolution] ?? '–'),
		);
		const regions = row.regions.map((region) => REGION_NAMES[region]).join(', ');
		expect(read('docs/COSTS.md')).toContain(
			`| ${regions} (${row.currency}) | ${row.version} | ${cells.join(' | ')} |`,
		);
		expect(row.checked).toBe('2026-12');
	},
);

test("the README's summary gives the table's range of prices", () => {
	expect(listPriceRange()).toBe('0.07–0.24 USD or 0.45–1.6 CNY');
	const summary = read('README.md');
	expect(summary).toContain('list prices 0.07–0.24 USD, 0.45–1.6 CNY in Beijing');
});
