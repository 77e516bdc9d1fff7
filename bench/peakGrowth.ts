/**
 * The memory benchmarks' one measure: how far a process's RSS rises above `baseline` while
 * `work` runs, sampled every `everyMs` (and once more at the end).
 */
export async function peakGrowthDuring<T>(
	readRss: () => number,
	baseline: number,
	work: () => Promise<T>,
	everyMs = 5,
): Promise<{ result: T; growth: number; ms: number }> {
	let peak = baseline;
	const sampler = setInterval(() => {
		peak = Math.max(peak, readRss());
	}, everyMs);
	const started = Date.now();
	try {
		const result = await work();
		peak = Math.max(peak, readRss());
		return { result, growth: peak - baseline, ms: Date.now() - started };
	} finally {
		clearInterval(sampler);
	}
}
