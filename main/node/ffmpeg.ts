/**
 * The few ffmpeg/ffprobe calls the main side makes itself (probing imported files, posters,
 * extracting a frame). `TESSERA_FFMPEG` / `TESSERA_FFPROBE` override the binaries on PATH.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ffmpegBin = () => process.env.TESSERA_FFMPEG ?? 'ffmpeg';
const ffprobeBin = () => process.env.TESSERA_FFPROBE ?? 'ffprobe';

export interface MediaProbe {
  kind: 'video' | 'image';
  width: number;
  height: number;
  frames: number;
  fps: number;
  durationSec: number;
}

interface FfprobeJson {
  streams?: {
    codec_type?: string;
    codec_name?: string;
    width?: number;
    height?: number;
    r_frame_rate?: string;
    nb_frames?: string;
    duration?: string;
  }[];
  format?: { duration?: string; format_name?: string };
}

const IMAGE_CODECS = new Set(['png', 'mjpeg', 'webp', 'bmp', 'gif', 'tiff']);

export async function probeMedia(path: string): Promise<MediaProbe> {
  let stdout: string;
  try {
    ({ stdout } = await run(ffprobeBin(), ['-v', 'error', '-of', 'json', '-show_streams', '-show_format', path], {
      maxBuffer: 4 << 20,
    }));
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr?.trim().split('\n')[0] ?? String(error);
    throw new Error(`cannot read ${path}: ${detail}`);
  }
  const info = JSON.parse(stdout) as FfprobeJson;
  const stream = info.streams?.find((s) => s.codec_type === 'video');
  if (!stream) throw new Error(`${path} has no picture in it`);
  const width = stream.width ?? 0;
  const height = stream.height ?? 0;
  const isImage =
    IMAGE_CODECS.has(stream.codec_name ?? '') &&
    /image2|png_pipe|jpeg_pipe|webp_pipe/.test(info.format?.format_name ?? '');
  if (isImage) return { kind: 'image', width, height, frames: 1, fps: 0, durationSec: 0 };
  const [num = 0, den = 1] = (stream.r_frame_rate ?? '0/1').split('/').map(Number);
  const fps = den ? num / den : 0;
  const durationSec = Number(stream.duration ?? info.format?.duration ?? 0) || 0;
  const frames = Number(stream.nb_frames ?? 0) || Math.round(durationSec * fps);
  return { kind: 'video', width, height, frames, fps, durationSec };
}

/** Writes the frame shown at `timeSec` (the last one if past the end) as a PNG. */
export async function extractFramePng(video: string, timeSec: number, out: string): Promise<void> {
  const args = (t: number) => [
    '-v',
    'error',
    '-y',
    '-ss',
    t.toFixed(3),
    '-i',
    video,
    '-frames:v',
    '1',
    '-f',
    'image2',
    out,
  ];
  try {
    await run(ffmpegBin(), args(timeSec));
    const probe = await probeMedia(out).catch(() => null);
    if (probe) return;
  } catch {
    // fall through: past the end of the clip
  }
  // Past the end: take the last frame.
  await run(ffmpegBin(), ['-v', 'error', '-y', '-sseof', '-0.2', '-i', video, '-update', '1', '-f', 'image2', out]);
}
