import { randomBytes } from 'crypto';

/**
 * A multipart/form-data body written by hand: the file part is streamed between a prepared
 * head and tail, so a 100 MB video is never copied into one buffer. Fields go out in the order
 * given and the file last, as OSS requires.
 */
export interface MultipartFile {
	fieldName: string;
	fileName: string;
	contentType: string;
	size: number;
}

export interface MultipartFrame {
	boundary: string;
	/** The fields and the file part's headers. */
	head: Buffer;
	/** The closing boundary. */
	tail: Buffer;
	contentLength: number;
	contentType: string;
}

function quoted(value: string): string {
	return value.replace(/["\r\n\\]/g, '_');
}

export function multipartFrame(
	fields: Array<[string, string]>,
	file: MultipartFile,
): MultipartFrame {
	const boundary = `----HappyHorseBoundary${randomBytes(12).toString('hex')}`;
	const parts = fields.map(
		([name, value]) =>
			`--${boundary}\r\nContent-Disposition: form-data; name="${quoted(name)}"\r\n\r\n${value}\r\n`,
	);
	parts.push(
		`--${boundary}\r\nContent-Disposition: form-data; name="${quoted(file.fieldName)}"; filename="${quoted(
			file.fileName,
		)}"\r\nContent-Type: ${file.contentType}\r\n\r\n`,
	);
	const head = Buffer.from(parts.join(''), 'utf8');
	const tail = Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8');
	return {
		boundary,
		head,
		tail,
		contentLength: head.length + file.size + tail.length,
		contentType: `multipart/form-data; boundary=${boundary}`,
	};
}

/** A file name safe for an object key and a form header: letters, digits, dot, dash, underscore. */
export function sanitizeFileName(fileName: string, fallbackExtension: string): string {
	const cleaned = fileName
		.normalize('NFKD')
		.replace(/[^A-Za-z0-9._-]+/g, '_')
		.replace(/^[._]+/, '')
		.slice(-100);
	const name = cleaned === '' ? `media.${fallbackExtension}` : cleaned;
	return /\.[A-Za-z0-9]{2,4}$/.test(name) ? name : `${name}.${fallbackExtension}`;
}
