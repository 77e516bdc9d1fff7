/**
 * EventBridge may deliver the same event more than once, and two events may name the same task
 * (docs/API.md, "Completion events"): within the window, one execution per event id and per task
 * id. The memory is this process's (docs/TRIGGER.md, "Queue mode"), bounded, and forgotten on
 * restart, when List Tasks recovery is the safety net.
 */
const DEDUP_WINDOW_MS = 24 * 60 * 60 * 1000;
const DEDUP_MAX_KEYS = 20_000;

interface Entry {
	/** 'claimed' while a delivery is being handled; 'taken' once it started an execution. */
	state: 'claimed' | 'taken';
	expiresAt: number;
}

export class DeliveryDedup {
	private readonly entries = new Map<string, Entry>();

	constructor(
		private readonly windowMs = DEDUP_WINDOW_MS,
		private readonly maxKeys = DEDUP_MAX_KEYS,
	) {}

	/**
	 * Claims the keys for one delivery; false when any of them is claimed or taken already. A
	 * claim lasts until taken() or released(): a delivery being handled holds off its repeats.
	 */
	claim(keys: string[], now = Date.now()): boolean {
		for (const key of keys) {
			const entry = this.entries.get(key);
			if (entry && entry.expiresAt > now) return false;
		}
		this.evict(now, keys.length);
		for (const key of keys) {
			this.entries.delete(key);
			this.entries.set(key, { state: 'claimed', expiresAt: now + this.windowMs });
		}
		return true;
	}

	/** The delivery started an execution: its repeats are dropped for the window. */
	taken(keys: string[], now = Date.now()): void {
		for (const key of keys)
			this.entries.set(key, { state: 'taken', expiresAt: now + this.windowMs });
	}

	/** The delivery started nothing (to be retried): its repeats are welcome. */
	released(keys: string[]): void {
		for (const key of keys) {
			if (this.entries.get(key)?.state === 'claimed') this.entries.delete(key);
		}
	}

	get size(): number {
		return this.entries.size;
	}

	/** Drops expired keys, then the oldest until `room` more fit. */
	private evict(now: number, room: number): void {
		for (const [key, entry] of this.entries) {
			if (entry.expiresAt <= now) this.entries.delete(key);
		}
		for (const key of this.entries.keys()) {
			if (this.entries.size + room <= this.maxKeys) break;
			this.entries.delete(key);
		}
	}
}

/** One memory per process, shared by every HappyHorse Trigger in it (keys name the webhook). */
export const deliveryDedup = new DeliveryDedup();
