/**
 * What HappyHorse video costs: the list prices per second of video, one table, each row with its
 * source and the date it was checked (docs/API.md, "Prices and billing"), and the account's own
 * prices from the credential, which win. Billing counts seconds of video at the resolution's
 * price: the output for text, first frame and references to video; input (first 15 s) plus
 * output for video edit. An estimate is what the node expects; `usage` is what was billed.
 */

/** Where an endpoint bills: each region has its own list prices and currency. */
export type BillingRegion = 'beijing' | 'singapore' | 'us' | 'frankfurt';

const BILLING_REGION_NAMES: Record<BillingRegion, string> = {
	beijing: 'Beijing',
	singapore: 'Singapore',
	us: 'US (Virginia)',
	frankfurt: 'Frankfurt',
};

/** The resolutions a price is given for; a task without one is billed at the API default. */
const PRICED_RESOLUTIONS = ['480P', '720P', '1080P'] as const;
export type PricedResolution = (typeof PRICED_RESOLUTIONS)[number];
const DEFAULT_BILLED_RESOLUTION: PricedResolution = '1080P';

/** HappyHorse model versions: 1.0 (every kind) and 1.1 (text, first frame, references). */
type ModelVersion = '1.0' | '1.1';

interface ListPriceRow {
	regions: readonly BillingRegion[];
	version: ModelVersion;
	currency: 'CNY' | 'USD';
	/** Per second of video; a resolution missing here has no list price. */
	perSecond: Partial<Record<PricedResolution, number>>;
	source: string;
	checked: string;
}

const MAINLAND = 'Alibaba Model Studio mainland list prices (gateway code, empiriolabs, okmiku)';
const INTERNATIONAL =
	'Alibaba Model Studio "Model pricing", international (Singapore; US and Frankfurt assumed the same until Alibaba lists them)';

/** The list prices (docs/API.md, "Prices and billing"). */
export const LIST_PRICES: readonly ListPriceRow[] = [
	{
		regions: ['beijing'],
		version: '1.0',
		currency: 'CNY',
		perSecond: { '720P': 0.9, '1080P': 1.6 },
		source: MAINLAND,
		checked: '2026-12',
	},
	{
		regions: ['beijing'],
		version: '1.1',
		currency: 'CNY',
		perSecond: { '480P': 0.45, '720P': 0.9, '1080P': 1.2 },
		source: MAINLAND,
		checked: '2026-12',
	},
	{
		regions: ['singapore', 'us', 'frankfurt'],
		version: '1.0',
		currency: 'USD',
		perSecond: { '720P': 0.14, '1080P': 0.24 },
		source: INTERNATIONAL,
		checked: '2026-12',
	},
	{
		regions: ['singapore', 'us', 'frankfurt'],
		version: '1.1',
		currency: 'USD',
		perSecond: { '480P': 0.07, '720P': 0.14, '1080P': 0.18 },
		source: INTERNATIONAL,
		checked: '2026-12',
	},
];

/** Video edit bills at most the first 15 s of its input, and outputs min(input, 15 s). */
export const EDIT_BILLED_SECONDS_MAX = 15;
/** Text, first frame and references to video: the API's default duration. */
export const DEFAULT_DURATION_SECONDS = 5;

/** The endpoint fields of the credential that decide where tasks are billed. */
export interface BillingEndpoint {
	endpoint?: unknown;
	workspaceRegion?: unknown;
}

const ENDPOINT_REGIONS: Record<string, BillingRegion> = {
	dashscopeBeijing: 'beijing',
	dashscopeSingapore: 'singapore',
	dashscopeUs: 'us',
};

const WORKSPACE_REGION_BILLING: Record<string, BillingRegion> = {
	'ap-southeast-1': 'singapore',
	'eu-central-1': 'frankfurt',
	'cn-beijing': 'beijing',
};

/**
 * Where the credential's endpoint bills, or undefined for a gateway, a proxy or a custom URL,
 * whose prices are their own. The workspace region defaults as the credential does (Singapore).
 */
export function billingRegionOf(credentials: BillingEndpoint): BillingRegion | undefined {
	const endpoint = credentials.endpoint ?? 'dashscopeBeijing';
	if (endpoint === 'modelStudioWorkspace') {
		return WORKSPACE_REGION_BILLING[String(credentials.workspaceRegion ?? 'ap-southeast-1')];
	}
	return ENDPOINT_REGIONS[String(endpoint)];
}

/** The model's version from its id: happyhorse-1.1-t2v → 1.1; a model of other names: unknown. */
function modelVersionOf(model: unknown): ModelVersion | undefined {
	const match = /^happyhorse-(1\.[01])-/i.exec(String(model ?? ''));
	return match ? (match[1] as ModelVersion) : undefined;
}

/** What one task's seconds cost: the price per second and where it comes from. */
export interface Price {
	perSecond: number;
	currency: string;
	/** 'credential', or the list's source and date. */
	source: string;
}

/** Prices the account set on the credential, per resolution, in one currency. */
export interface AccountPrices {
	currency: string;
	perSecond: Partial<Record<PricedResolution, number>>;
}

/** The credential's price fields: one per resolution, and their currency. */
const ACCOUNT_PRICE_FIELDS: Record<PricedResolution, string> = {
	'480P': 'price480P',
	'720P': 'price720P',
	'1080P': 'price1080P',
};

/** The account's own prices, when the credential's Use My Own Prices is on and sets any. */
export function accountPricesOf(credentials: Record<string, unknown>): AccountPrices | undefined {
	if (credentials.ownPrices !== true) return undefined;
	const perSecond: AccountPrices['perSecond'] = {};
	for (const resolution of PRICED_RESOLUTIONS) {
		const value = credentials[ACCOUNT_PRICE_FIELDS[resolution]];
		const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
		// 0 is the field's default: a price left unset, never "free" (a money limit would pass all).
		if (typeof number === 'number' && Number.isFinite(number) && number > 0) {
			perSecond[resolution] = number;
		}
	}
	if (Object.keys(perSecond).length === 0) return undefined;
	const currency = String(credentials.priceCurrency ?? '').trim() || 'USD';
	return { currency: currency.toUpperCase(), perSecond };
}

/** The resolution a task is billed at: the one asked for, or the API default (1080P). */
export function billedResolution(resolution: unknown): PricedResolution | undefined {
	if (resolution === undefined || resolution === null || resolution === '') {
		return DEFAULT_BILLED_RESOLUTION;
	}
	const text = String(resolution).toUpperCase();
	return PRICED_RESOLUTIONS.find((known) => known === text);
}

/**
 * The price per second of a task: the account's own price for the resolution when the
 * credential sets one, else the list price of the region, model version and resolution. A model
 * of unknown version is priced only where every version costs the same. Undefined: unknown.
 */
export function priceOf(
	region: BillingRegion | undefined,
	account: AccountPrices | undefined,
	model: unknown,
	resolution: PricedResolution | undefined,
): Price | undefined {
	if (!resolution) return undefined;
	const own = account?.perSecond[resolution];
	if (account && own !== undefined) {
		return { perSecond: own, currency: account.currency, source: 'credential' };
	}
	if (!region) return undefined;
	const version = modelVersionOf(model);
	const rows = LIST_PRICES.filter(
		(row) => row.regions.includes(region) && (!version || row.version === version),
	);
	const prices = new Set(rows.map((row) => row.perSecond[resolution]));
	const [row] = rows;
	const perSecond = row?.perSecond[resolution];
	if (!row || perSecond === undefined || prices.size !== 1) return undefined;
	return {
		perSecond,
		currency: row.currency,
		source: `list price, ${BILLING_REGION_NAMES[region]} (${row.source}, checked ${row.checked})`,
	};
}

/** What a number of seconds costs at a price, without float noise (13.24 × 0.14 = 1.8536). */
export function amountOf(seconds: number, price: Price | undefined): number | null {
	if (!price) return null;
	return Math.round(seconds * price.perSecond * 1e6) / 1e6;
}

/** Seconds of video and what they cost: an estimate, or the cost of what was billed. */
export interface CostFigures {
	billedSeconds: number;
	amount: number | null;
	currency: string | null;
}

/** What an item's seconds are priced by: the account, where it bills, the model, the resolution. */
export interface Pricing {
	region: BillingRegion | undefined;
	account: AccountPrices | undefined;
	model: unknown;
	resolution: PricedResolution | undefined;
}

/**
 * The cost of what the API billed: its seconds at the price of the resolution it reports (else
 * the one asked for). Amount and currency are null where the price is unknown.
 */
export function costOf(
	billed: { seconds?: number; resolution?: string },
	pricing: Pricing,
): CostFigures | undefined {
	if (billed.seconds === undefined) return undefined;
	const resolution = billed.resolution ? billedResolution(billed.resolution) : pricing.resolution;
	const price = priceOf(pricing.region, pricing.account, pricing.model, resolution);
	return {
		billedSeconds: billed.seconds,
		amount: amountOf(billed.seconds, price),
		currency: price?.currency ?? null,
	};
}

/** The list prices in a few words for descriptions: '0.07–0.24 USD or 0.45–1.6 CNY'. */
export function listPriceRange(): string {
	const byCurrency = new Map<string, number[]>();
	for (const row of LIST_PRICES) {
		const prices = byCurrency.get(row.currency) ?? [];
		prices.push(...Object.values(row.perSecond));
		byCurrency.set(row.currency, prices);
	}
	return [...byCurrency]
		.sort(([a], [b]) => b.localeCompare(a))
		.map(([currency, prices]) => `${Math.min(...prices)}–${Math.max(...prices)} ${currency}`)
		.join(' or ');
}
