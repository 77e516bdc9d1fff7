/**
 * Runs `work` over `list` with at most `limit` calls in flight, keeping results in list order.
 * The stages of the node (submit, poll, download) each run over the whole batch with it.
 */
export async function mapWithConcurrency<T, R>(
	list: readonly T[],
	limit: number,
	work: (entry: T, index: number) => Promise<R>,
): Promise<R[]> {
	const results = new Array<R>(list.length);
	let next = 0;
	const worker = async () => {
		while (next < list.length) {
			const index = next++;
			results[index] = await work(list[index], index);
		}
	};
	await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), list.length) }, worker));
	return results;
}
