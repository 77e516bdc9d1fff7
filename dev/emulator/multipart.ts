/** multipart/form-data bodies, parsed the way OSS reads a PostObject form: on bytes, exactly. */

/** One part of a multipart/form-data body. */
interface FormPart {
	/** The `name` parameter of its Content-Disposition. */
	name: string;
	/** The `filename` parameter, when present. */
	fileName?: string;
	/** Its Content-Type header, when present. */
	contentType?: string;
	/** Its content, a view into the request body. */
	data: Buffer;
}

const CRLF = Buffer.from('\r\n', 'latin1');
const HEADER_END = Buffer.from('\r\n\r\n', 'latin1');
const DASH = 0x2d;

/** The boundary of a multipart/form-data Content-Type, or undefined for anything else. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
	if (contentType === undefined) return undefined;
	const [type, ...params] = contentType.split(';');
	if (type.trim().toLowerCase() !== 'multipart/form-data') return undefined;
	for (const param of params) {
		const match = /^\s*boundary\s*=\s*(?:"([^"]+)"|(\S+))\s*$/i.exec(param);
		const boundary = match?.[1] ?? match?.[2];
		// RFC 2046: 1 to 70 characters.
		if (boundary !== undefined && boundary.length <= 70) return boundary;
	}
	return undefined;
}

/** The parameters of a header value such as `form-data; name="a"; filename="b.mp4"`. */
function headerParams(value: string): Record<string, string> {
	const params: Record<string, string> = {};
	const pattern = /;\s*([^\s=;]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
	for (const match of value.matchAll(pattern)) {
		const quoted = match[2]?.replace(/\\(.)/g, '$1');
		params[match[1].toLowerCase()] = quoted ?? match[3].trim();
	}
	return params;
}

/**
 * Splits a multipart/form-data body (RFC 7578) into its parts, working on bytes so binary
 * content survives exactly. Returns a description of the problem when the body is malformed.
 */
export function parseMultipart(body: Buffer, boundary: string): FormPart[] | string {
	const delimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
	// The first delimiter may open the body without the CRLF; a preamble before it is ignored.
	let pos: number;
	if (body.subarray(0, delimiter.length - 2).equals(delimiter.subarray(2))) {
		pos = delimiter.length - 2;
	} else {
		const first = body.indexOf(delimiter);
		if (first < 0) return 'the body does not contain the boundary';
		pos = first + delimiter.length;
	}
	const parts: FormPart[] = [];
	for (;;) {
		if (body[pos] === DASH && body[pos + 1] === DASH) return parts;
		// Transport padding may follow a delimiter.
		while (body[pos] === 0x20 || body[pos] === 0x09) pos++;
		if (!body.subarray(pos, pos + 2).equals(CRLF)) {
			return 'a boundary is followed by neither CRLF nor "--"';
		}
		// Searching from the CRLF just read also finds the blank line of a part without headers.
		const headerEnd = body.indexOf(HEADER_END, pos);
		if (headerEnd < 0) return 'the headers of a part do not end';
		const headers: Record<string, string> = {};
		const headerText = body.subarray(pos + 2, Math.max(pos + 2, headerEnd)).toString('utf8');
		for (const line of headerText === '' ? [] : headerText.split('\r\n')) {
			const colon = line.indexOf(':');
			if (colon <= 0) return `a part has the malformed header line "${line}"`;
			headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
		}
		const start = headerEnd + HEADER_END.length;
		const end = body.indexOf(delimiter, start);
		if (end < 0) return 'the body ends before the closing boundary';
		const disposition = headers['content-disposition'] ?? '';
		const params = headerParams(disposition);
		if (!/^\s*form-data\s*(;|$)/i.test(disposition) || params.name === undefined) {
			return 'a part has no Content-Disposition: form-data with a name';
		}
		const part: FormPart = { name: params.name, data: body.subarray(start, end) };
		if (params.filename !== undefined) part.fileName = params.filename;
		if (headers['content-type'] !== undefined) part.contentType = headers['content-type'];
		parts.push(part);
		pos = end + delimiter.length;
	}
}
