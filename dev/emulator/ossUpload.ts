/**
 * DashScope's temporary file upload (docs/API.md, Native family): `GET /api/v1/uploads` hands out
 * a signed OSS policy, `POST /oss-upload` takes the PostObject form it allows, and a native submit
 * may then name the file as oss://<key>.
 */
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';

import { BEIJING_OFFSET_MS, nativeError, send, sendJson } from './http';
import { multipartBoundary, parseMultipart } from './multipart';
import type { IssuedPolicy, RecordedRequest, UploadSettings, UploadedObject } from './types';

export const OSS_UPLOAD_PATH = '/oss-upload';
const OSS_ACCESS_KEY_ID = 'LTAI-emulator';
const OSS_OBJECT_ACL = 'private';
const OSS_FORBID_OVERWRITE = 'true';
const OSS_BUCKET = 'dashscope-file-mgr';
const OSS_HOST_ID = `${OSS_BUCKET}.oss-cn-beijing.aliyuncs.com`;
export const OSS_URL_SCHEME = 'oss://';
const UPLOAD_CAPACITY_LIMIT_MB = 999999999;
// Temporary files stay usable for 48 hours.
const UPLOADED_OBJECT_TTL_MS = 48 * 60 * 60 * 1000;
const BYTES_PER_MB = 1024 * 1024;

export function defaultUploadSettings(): UploadSettings {
	return { maxFileSizeMb: 100, expireInSeconds: 300 };
}

function escapeXml(text: string): string {
	return text
		.replace(/&/g, '&amp;')
		.replace(/</g, '&lt;')
		.replace(/>/g, '&gt;')
		.replace(/"/g, '&quot;');
}

/** An error the way OSS answers one: XML with Code, Message, RequestId and HostId. */
function sendOssError(res: ServerResponse, status: number, code: string, message: string): void {
	const requestId = randomBytes(12).toString('hex').toUpperCase();
	const xml =
		'<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n' +
		`  <Code>${escapeXml(code)}</Code>\n  <Message>${escapeXml(message)}</Message>\n` +
		`  <RequestId>${requestId}</RequestId>\n  <HostId>${OSS_HOST_ID}</HostId>\n</Error>\n`;
	send(res, status, xml, { 'content-type': 'application/xml', 'x-oss-request-id': requestId });
}

function policyConditionFailed(condition: unknown): string {
	return `Invalid according to Policy: Policy Condition failed: ${JSON.stringify(condition)}`;
}

/** The account's temporary files: the policies handed out and the objects stored with them. */
export class OssUploads {
	/** Every upload policy handed out, in order. */
	readonly issuedPolicies: IssuedPolicy[] = [];

	/** What `POST /oss-upload` stored, by object key. */
	readonly uploadedObjects = new Map<string, UploadedObject>();

	/** Signs upload policies, as the account's OSS AccessKey secret would. */
	private readonly ossSecret = randomBytes(20).toString('hex');

	/** Reads the emulator's key, origin and settings as they are at each use. */
	constructor(
		private readonly emulator: {
			readonly apiKey: string;
			readonly origin: string;
			readonly uploadSettings: UploadSettings;
			readonly checkOssUrls: boolean;
		},
	) {}

	reset(): void {
		this.issuedPolicies.length = 0;
		this.uploadedObjects.clear();
	}

	/**
	 * What is wrong with the oss:// media of a native submit, if anything: DashScope resolves them
	 * only when asked to, and only to a live temporary file uploaded for the same model.
	 */
	ossMediaProblem(request: RecordedRequest): { code: string; message: string } | undefined {
		// A checked native body: text to video has no media, the other kinds {type, url} items.
		const body = request.json as { model: string; input: { media?: Array<{ url: string }> } };
		const media = body.input.media ?? [];
		const ossUrls = media.map((item) => item.url).filter((url) => url.startsWith(OSS_URL_SCHEME));
		if (ossUrls.length === 0 || !this.emulator.checkOssUrls) return undefined;
		if (request.headers['x-dashscope-ossresourceresolve'] !== 'enable') {
			return {
				code: 'InvalidParameter.DataInspection',
				message: 'The media format is not supported or incorrect for the data inspection.',
			};
		}
		const now = Date.now();
		for (const url of ossUrls) {
			const object = this.uploadedObjects.get(url.slice(OSS_URL_SCHEME.length));
			if (!object || object.model !== body.model || now > object.expiresAt) {
				return { code: 'InvalidParameter', message: `The provided URL is invalid: ${url}` };
			}
		}
		return undefined;
	}

	/** `GET /api/v1/uploads?action=getPolicy&model=…`: a signed policy for one upload to OSS. */
	handleGetPolicy(res: ServerResponse, request: RecordedRequest): void {
		const query = new URL(request.path, 'http://127.0.0.1').searchParams;
		if (query.get('action') !== 'getPolicy') {
			sendJson(res, 400, nativeError('InvalidParameter', 'Parameter action must be getPolicy.'));
			return;
		}
		const model = query.get('model') ?? '';
		if (model === '') {
			sendJson(res, 400, nativeError('InvalidParameter', 'Required parameter model is missing.'));
			return;
		}
		const now = Date.now();
		const { maxFileSizeMb, expireInSeconds } = this.emulator.uploadSettings;
		const maxFileSizeBytes = Math.floor(maxFileSizeMb * BYTES_PER_MB);
		const expiresAt = now + expireInSeconds * 1000;
		const account = createHash('md5').update(this.emulator.apiKey).digest('hex');
		const day = new Date(now + BEIJING_OFFSET_MS).toISOString().slice(0, 10);
		const uploadDir = `dashscope-instant/${account}/${day}/${randomUUID()}`;
		const document = {
			expiration: new Date(expiresAt).toISOString(),
			conditions: [
				{ bucket: OSS_BUCKET },
				['content-length-range', 0, maxFileSizeBytes],
				['starts-with', '$key', `${uploadDir}/`],
				{ 'x-oss-object-acl': OSS_OBJECT_ACL },
				{ 'x-oss-forbid-overwrite': OSS_FORBID_OVERWRITE },
			],
		};
		const policy = Buffer.from(JSON.stringify(document), 'utf8').toString('base64');
		const signature = createHmac('sha1', this.ossSecret).update(policy).digest('base64');
		this.issuedPolicies.push({
			policy,
			signature,
			uploadDir,
			model,
			issuedAt: now,
			expiresAt,
			maxFileSizeBytes,
		});
		sendJson(res, 200, {
			request_id: randomUUID(),
			data: {
				policy,
				signature,
				upload_dir: uploadDir,
				upload_host: `${this.emulator.origin}${OSS_UPLOAD_PATH}`,
				expire_in_seconds: expireInSeconds,
				max_file_size_mb: maxFileSizeMb,
				capacity_limit_mb: UPLOAD_CAPACITY_LIMIT_MB,
				oss_access_key_id: OSS_ACCESS_KEY_ID,
				x_oss_object_acl: OSS_OBJECT_ACL,
				x_oss_forbid_overwrite: OSS_FORBID_OVERWRITE,
			},
		});
	}

	/** `POST /oss-upload`: an OSS PostObject form, checked against the policy it carries. */
	handleUpload(res: ServerResponse, request: RecordedRequest): void {
		const boundary = multipartBoundary(request.headers['content-type']);
		const parts = boundary === undefined ? undefined : parseMultipart(request.rawBody, boundary);
		if (parts === undefined || typeof parts === 'string') {
			const reason = parts ?? 'the Content-Type is not multipart/form-data with a boundary';
			sendOssError(
				res,
				400,
				'MalformedPOSTRequest',
				`The body of your POST request is not well-formed multipart/form-data: ${reason}.`,
			);
			return;
		}
		const file = parts[parts.length - 1];
		const fileParts = parts.filter((part) => part.name.toLowerCase() === 'file');
		if (fileParts.length !== 1 || file?.name.toLowerCase() !== 'file') {
			const message =
				fileParts.length === 0
					? 'The form has no file field.'
					: 'The file field must be the last field in the form, and the only one.';
			sendOssError(res, 400, 'InvalidArgument', message);
			return;
		}
		const fields: Record<string, string> = {};
		const byName = new Map<string, string>();
		for (const part of parts.slice(0, -1)) {
			const name = part.name.toLowerCase();
			if (byName.has(name)) {
				sendOssError(res, 400, 'InvalidArgument', `The form has the field ${part.name} twice.`);
				return;
			}
			const value = part.data.toString('utf8');
			fields[part.name] = value;
			byName.set(name, value);
		}
		for (const required of ['OSSAccessKeyId', 'Signature', 'policy', 'key']) {
			if (!byName.get(required.toLowerCase())) {
				sendOssError(res, 400, 'InvalidArgument', `The form has no ${required} field.`);
				return;
			}
		}
		if (byName.get('ossaccesskeyid') !== OSS_ACCESS_KEY_ID) {
			sendOssError(
				res,
				403,
				'InvalidAccessKeyId',
				'The OSS Access Key Id you provided does not exist in our records.',
			);
			return;
		}
		const issued = this.issuedPolicies.find((policy) => policy.policy === byName.get('policy'));
		if (!issued || issued.signature !== byName.get('signature')) {
			sendOssError(
				res,
				403,
				'SignatureDoesNotMatch',
				'The request signature we calculated does not match the signature you provided. ' +
					'Check your key and signing method.',
			);
			return;
		}
		if (Date.now() > issued.expiresAt) {
			sendOssError(res, 403, 'AccessDenied', 'Invalid according to Policy: Policy expired.');
			return;
		}
		const key = byName.get('key') ?? '';
		const prefix = `${issued.uploadDir}/`;
		if (!key.startsWith(prefix)) {
			sendOssError(
				res,
				403,
				'AccessDenied',
				policyConditionFailed(['starts-with', '$key', prefix]),
			);
			return;
		}
		for (const [name, expected] of [
			['x-oss-object-acl', OSS_OBJECT_ACL],
			['x-oss-forbid-overwrite', OSS_FORBID_OVERWRITE],
		]) {
			if (byName.get(name) !== expected) {
				sendOssError(res, 403, 'AccessDenied', policyConditionFailed({ [name]: expected }));
				return;
			}
		}
		if (file.data.length > issued.maxFileSizeBytes) {
			sendOssError(
				res,
				413,
				'EntityTooLarge',
				`Your proposed upload exceeds the maximum allowed size of ${issued.maxFileSizeBytes} bytes.`,
			);
			return;
		}
		if (this.uploadedObjects.has(key) && byName.get('x-oss-forbid-overwrite') === 'true') {
			sendOssError(
				res,
				409,
				'FileAlreadyExists',
				'The object you specified already exists and can not be overwritten.',
			);
			return;
		}
		const bytes = Buffer.from(file.data);
		const now = Date.now();
		const object: UploadedObject = {
			key,
			bytes,
			fieldOrder: parts.map((part) => part.name),
			fields,
			model: issued.model,
			uploadedAt: now,
			expiresAt: now + UPLOADED_OBJECT_TTL_MS,
		};
		if (file.contentType !== undefined) object.contentType = file.contentType;
		if (file.fileName !== undefined) object.fileName = file.fileName;
		this.uploadedObjects.set(key, object);
		const etag = `"${createHash('md5').update(bytes).digest('hex').toUpperCase()}"`;
		const headers = { etag, 'x-oss-request-id': randomBytes(12).toString('hex').toUpperCase() };
		// As OSS: 200 and 204 answer an empty body, 201 an XML receipt, anything else means 204.
		const status = byName.get('success_action_status');
		if (status === '200') {
			send(res, 200, '', headers);
		} else if (status === '201') {
			const location = `${this.emulator.origin}${OSS_UPLOAD_PATH}/${key}`;
			const xml =
				'<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse>\n' +
				`  <Bucket>${OSS_BUCKET}</Bucket>\n` +
				`  <Location>${escapeXml(location)}</Location>\n` +
				`  <Key>${escapeXml(key)}</Key>\n  <ETag>${escapeXml(etag)}</ETag>\n</PostResponse>\n`;
			send(res, 201, xml, { ...headers, 'content-type': 'application/xml' });
		} else {
			send(res, 204, '', headers);
		}
	}
}
