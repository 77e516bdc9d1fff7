import { MIB } from '../schemas/limits';

/** How the size limit is named in messages: the option's label and its name. */
export const MAX_VIDEO_SIZE_OPTION = 'Options → Max Video Size (MB), maxVideoSizeMb';

/** Bytes looked at before the body is taken as a video, and quoted when it is not one. */
const HEAD_BYTES = 48;

/** Why a body was cut off. */
export type VideoBodyProblem =
	| { kind: 'tooLarge'; bytesRead: number }
	| { kind: 'notVideo'; contentType: string; start: string };

export interface VideoBodyGuard {
	/** Set once the guard destroyed the stream, with the reason. */
	problem?: VideoBodyProblem;
	bytesRead(): number;
	/**
	 * After the body was stored: a body shorter than the bytes looked at, whose end arrived
	 * before the guard was set, is checked now. Returns the problem, if any.
	 */
	verdict(): VideoBodyProblem | undefined;
}

/** The bare stream methods the guard uses: n8n hands the body over as Node's Readable. */
interface PushStream {
	readonly readableLength: number;
	push(chunk: unknown, encoding?: BufferEncoding): boolean;
	read(): Buffer | null;
	unshift(chunk: Buffer): void;
	destroy(error?: Error): unknown;
}

/**
 * Counts and checks a response body as it arrives, without wrapping it in a new stream
 * (community nodes may not import Node's stream module): every chunk the HTTP client pushes
 * into the body passes here first. Over `maxBytes`, or when the first bytes are not what
 * `looksLikeVideo` takes, the body is destroyed at once, so the consumer (n8n's binary storage,
 * in any mode) fails and nothing more is read from the socket.
 */
export function guardVideoBody(
	body: unknown,
	limits: { maxBytes: number; contentType: string; looksLikeVideo: (head: Buffer) => boolean },
): VideoBodyGuard {
	const stream = body as PushStream;
	const push = stream.push.bind(stream);
	const guard: VideoBodyGuard = {
		bytesRead: () => bytesRead,
		verdict: () => {
			if (!checked) checkHead();
			return guard.problem;
		},
	};
	let bytesRead = 0;
	let head = Buffer.alloc(0);
	let checked = false;

	const fail = (problem: VideoBodyProblem): boolean => {
		guard.problem ??= problem;
		stream.destroy(new Error('The video download was cut off'));
		return false;
	};
	const checkHead = (): boolean => {
		checked = true;
		if (limits.looksLikeVideo(head)) return true;
		return fail({ kind: 'notVideo', contentType: limits.contentType, start: printable(head) });
	};
	/** Counts a chunk and looks at the start; false when the body was cut off. */
	const admit = (bytes: Buffer): boolean => {
		bytesRead += bytes.length;
		if (bytesRead > limits.maxBytes) return fail({ kind: 'tooLarge', bytesRead });
		if (!checked) {
			head = Buffer.concat([head, bytes.subarray(0, HEAD_BYTES - head.length)]);
			if (head.length >= HEAD_BYTES) return checkHead();
		}
		return true;
	};

	// The first bytes often arrive with the headers, before the guard is set: they already sit
	// in the stream's buffer. They are read out, looked at and put back in front, unchanged.
	if (stream.readableLength > 0) {
		const buffered = stream.read();
		if (buffered) {
			stream.unshift(buffered);
			if (!admit(buffered)) return guard;
		}
	}
	stream.push = (chunk: unknown, encoding?: BufferEncoding): boolean => {
		if (guard.problem) return false;
		if (chunk === null || chunk === undefined) {
			return !checked && !checkHead() ? false : push(chunk, encoding);
		}
		const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string, encoding);
		return admit(bytes) && push(chunk, encoding);
	};
	return guard;
}

/** Megabytes as messages print them: 1 MB = 1,048,576 bytes, as the limits count. */
export function megabytes(bytes: number, digits = 1): string {
	return (bytes / MIB).toFixed(digits);
}

/** A limit as the user set it: 256, 0.5 (MB). */
export function limitInMegabytes(bytes: number): string {
	return String(Number((bytes / MIB).toFixed(2)));
}

/** The first bytes as text a message can quote: anything but printable ASCII becomes a dot. */
function printable(head: Buffer): string {
	return head.toString('latin1').replace(/[^\x20-\x7e]/g, '.');
}
