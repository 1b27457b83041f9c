/**
 * Downloads a CLIP-style model from the Hugging Face Hub into `<targetRoot>/<owner>__<name>/` (plus
 * `@<revision>` for a revision other than main; repoFolderName has the exact rule): lists the
 * repo, fetches config.json to learn which graphs the model needs, then the chosen files one by one, and
 * finally checks the folder the way the inference service will load it.
 */
import { join } from 'node:path';
import { LensError } from '../core/errors';
import { readJsonFile } from '../inference/model/jsonFile';
import { parseModelConfig } from '../inference/model/modelConfig';
import { loadModelFolder, type ModelFolder } from '../inference/model/modelFolder';
import { throwIfCancelled, type LongRunOptions } from '../core/progress';
import { graphFiles, logitHeadGraph, metadataFiles } from './downloadPlan';
import { downloadFile, type FileDownloadOptions } from './fileDownload';
import { hubAccessFromEnv, type HubAccess } from './hubHttp';
import { listRepoFiles, type RepoFile } from './repoFiles';
import { repoFolderName, repoId, type RepoRef } from './repoRef';

/** What to download and where. */
export interface DownloadRequest {
  repo: RepoRef;
  /** The folder that holds downloaded models; the model goes into `repoFolderName(repo)` inside it, one folder per revision. */
  targetRoot: string;
  /** Endpoint and token; HF_ENDPOINT and HF_TOKEN from the environment when left out. */
  access?: HubAccess;
}

/** Cancellation, progress (stage: the file being fetched; done/total: bytes of the whole model) and retry policy. */
export type DownloadOptions = LongRunOptions & Pick<FileDownloadOptions, 'retries' | 'retryDelayMs' | 'stallMs'>;

/** A finished download: the loaded model folder and the repo paths fetched into it. */
export interface DownloadResult {
  dir: string;
  files: string[];
  bytes: number;
  folder: ModelFolder;
}

/** Downloads what the model needs, resuming partial files, and validates the folder. */
export async function downloadModel(request: DownloadRequest, options: DownloadOptions = {}): Promise<DownloadResult> {
  const { repo } = request;
  const access = request.access ?? hubAccessFromEnv();
  const id = repoId(repo);
  const dir = join(request.targetRoot, repoFolderName(repo));
  throwIfCancelled(options.signal);
  options.onProgress?.({ stage: 'Listing files', done: 0, total: 0 });
  const listing = await listRepoFiles(repo, access, options.signal);
  const metadata = metadataFiles(listing, id);

  const progress = { done: 0, total: sum(metadata), stage: '' };
  const fetchOne = async (file: RepoFile) => {
    throwIfCancelled(options.signal);
    progress.stage = file.path;
    const url = `${access.endpoint}/${id}/resolve/${encodeURIComponent(repo.revision)}/${file.path.split('/').map(encodeURIComponent).join('/')}`;
    await downloadFile(repo, access, { file, url, dest: join(dir, ...file.path.split('/')) }, {
      ...options,
      onBytes: (delta) => {
        progress.done += delta;
        options.onProgress?.({ stage: progress.stage, done: progress.done, total: progress.total });
      },
    });
  };

  // config.json (listed first) says whether the model is single-stream, which decides the graphs to fetch.
  const [config, ...others] = metadata;
  await fetchOne(config);
  const raw = await readJsonFile(join(dir, config.path), config.path, `Choose another model than ${id}.`);
  const parsed = parseModelConfig(raw);
  const towersOrJoint = graphFiles(listing, id, parsed.tokenLayout !== undefined);
  const graphs = [...towersOrJoint, ...logitHeadGraph(listing, parsed.modelType, towersOrJoint)];
  progress.total += sum(graphs);
  const rest = [...others, ...graphs];
  for (const file of rest) await fetchOne(file);
  return { dir, files: [config, ...rest].map((f) => f.path), bytes: progress.total, folder: await validate(dir, id) };
}

/** Loads the folder as the service will; its errors already name the file, this adds which download it was. */
async function validate(dir: string, id: string): Promise<ModelFolder> {
  try {
    return await loadModelFolder(dir);
  } catch (error) {
    if (!(error instanceof LensError)) throw error;
    throw new LensError(error.kind, `Downloaded ${id} into ${dir}, but it does not load: ${error.message}`);
  }
}

function sum(files: RepoFile[]): number {
  return files.reduce((s, f) => s + f.size, 0);
}
