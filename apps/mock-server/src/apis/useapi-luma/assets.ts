import { randomUUID } from 'node:crypto';

import type { AssetUploaded } from './spec-types.js';

import type { ApiContext } from '../../core/api-context.js';
import type { Principal } from '../../core/api-keys.js';
import { normalMediaType, sniffImage } from '../../core/images/image-type.js';
import { problem } from '../../core/problems.js';
import type { ExtraRoute, OperationHandler } from '../../core/vendor-api.js';
import type { AccountDirectory } from './accounts.js';
import { checkSession } from './accounts.js';
import { formatAssetRef, parseAssetRef } from './identifiers.js';
import { userOf } from './keys.js';
import type { UseapiLumaKeyConfig } from './keys.js';

// Reference images: POST /assets/{email} keeps the bytes, `upload.media.url` serves them, and an
// image request's `imageRef1-4` must name one of them.

/** "Maximum 20 MB" (the Upload Assets page). */
export const MAX_ASSET_BYTES = 20 * 1024 * 1024;
/** Uploaded bytes kept for their CDN URLs; the oldest go first past this. */
export const ASSET_BYTES_BUDGET = 256 * 1024 * 1024;

/** "JPEG, PNG or WebP", and the extension each gets in its CDN URL. */
export const EXTENSION_BY_TYPE: Readonly<Record<string, string>> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' };

export interface Asset {
  /** The workspace of the token that uploaded it. */
  owner: string;
  email: string;
  contentType: string;
  /** Undefined once dropped for the byte budget: the assetRef stays valid, its URL answers 404. */
  bytes: Buffer | undefined;
}

/** Uploaded assets by uuid; past `budget` bytes the oldest uploads lose their bytes (not their refs). */
export class AssetStore {
  readonly #assets = new Map<string, Asset>();
  #bytes = 0;

  constructor(readonly budget: number = ASSET_BYTES_BUDGET) {}

  get(uuid: string): Asset | undefined {
    return this.#assets.get(uuid);
  }

  keep(uuid: string, asset: Asset): void {
    this.#assets.set(uuid, asset);
    this.#bytes += asset.bytes?.length ?? 0;
    for (const [, old] of this.#assets) {
      if (this.#bytes <= this.budget) break;
      this.#bytes -= old.bytes?.length ?? 0;
      old.bytes = undefined;
    }
  }

  /** Bytes held now. */
  get bytes(): number {
    return this.#bytes;
  }

  clear(): void {
    this.#assets.clear();
    this.#bytes = 0;
  }
}

/**
 * The media type of an upload, once its bytes are checked: not empty, at most 20 MB, a JPEG, PNG
 * or WebP image, and the image its `Content-Type` names. Throws the documented 400 otherwise.
 */
export function checkedUpload(bytes: Buffer, contentTypeHeader: string | undefined): string {
  if (bytes.length === 0) throw problem('validation', 'Content is empty');
  if (bytes.length > MAX_ASSET_BYTES) {
    throw problem('validation', `File too large (${bytes.length} bytes). Maximum: ${MAX_ASSET_BYTES / 1024 / 1024} MB`);
  }
  const contentType = (contentTypeHeader ?? '').split(';')[0]!.trim().toLowerCase();
  const sniffed = sniffImage(bytes);
  if (sniffed === undefined || !(sniffed.mediaType in EXTENSION_BY_TYPE)) {
    throw problem('validation', `File content is not a JPEG, PNG or WebP image${sniffed ? ` (it is a ${sniffed.name})` : ''}. Valid: ${Object.keys(EXTENSION_BY_TYPE).join(', ')}`);
  }
  if (sniffed.mediaType !== normalMediaType(contentType)) {
    throw problem('validation', `Content-Type (${contentType}) does not match the file, which is a ${sniffed.name} image (${sniffed.mediaType})`);
  }
  return contentType;
}

/** The upload operation, the route serving uploads, and the owner check image requests make. */
export function assetUploads(ctx: ApiContext<UseapiLumaKeyConfig>, accounts: AccountDirectory) {
  const assets = new AssetStore();
  ctx.onReset(() => assets.clear());

  const upload: OperationHandler = (req, res) => {
    const principal = ctx.principalOf(req);
    const email = String(req.params.email);
    const account = accounts.named(principal.workspace, email);
    if (!account) throw problem('not_found', `Unable to find configuration for email ${email}`);
    checkSession(account);
    const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const contentType = checkedUpload(bytes, req.headers['content-type']);
    const uuid = randomUUID();
    assets.keep(uuid, { owner: principal.workspace, email: account.email, contentType, bytes });
    const uploaded: AssetUploaded = {
      assetRef: formatAssetRef(userOf(principal), account.email, uuid),
      email: account.email,
      upload: { id: uuid, media: { url: ctx.url(req, `/cdn/uploads/${uuid}.${EXTENSION_BY_TYPE[contentType] ?? 'bin'}`) } },
    };
    res.json(uploaded);
  };

  const route: ExtraRoute = {
    // An uploaded reference image, at the URL `upload.media.url` gave.
    method: 'GET',
    path: '/cdn/uploads/{file}',
    handler(req, res) {
      const uuid = /^([0-9a-f-]{36})\.[a-z]+$/i.exec(String(req.params.file))?.[1]?.toLowerCase();
      const asset = uuid === undefined ? undefined : assets.get(uuid);
      if (!asset?.bytes) throw problem('not_found', `No upload at ${req.path}`);
      res.status(200).set({ 'Content-Type': asset.contentType, 'Content-Length': String(asset.bytes.length) }).end(asset.bytes);
    },
  };

  /** The account an assetRef belongs to, refusing refs of other users and refs never uploaded. */
  function ownerOf(field: string, ref: string, principal: Principal<UseapiLumaKeyConfig>): string {
    const parsed = parseAssetRef(ref);
    if (!parsed || parsed.user !== userOf(principal)) {
      throw problem('validation', `Parameter ${field} (${ref}) is not an assetRef of this user`);
    }
    const asset = assets.get(parsed.uuid);
    if (!asset || asset.owner !== principal.workspace || asset.email.toLowerCase() !== parsed.email.toLowerCase()) {
      throw problem('validation', `Parameter ${field} (${ref}) is not an uploaded asset; upload the image with POST /assets/${parsed.email} and pass its assetRef`);
    }
    return asset.email;
  }

  return { upload, route, ownerOf };
}
