/** What onnxruntime-node offers here. The only module outside the engine importing onnxruntime-node. */
import ort from 'onnxruntime-node';

export interface OnnxInfo {
  onnxruntimeVersion: string;
  providers: string[];
}

export function onnxInfo(): OnnxInfo {
  // `bundled: false` backends (CUDA, TensorRT) need an add-on that is not installed here.
  const providers = ort
    .listSupportedBackends()
    .filter((backend) => backend.bundled)
    .map((backend) => backend.name);
  const onnxruntimeVersion = ort.env.versions.node ?? ort.env.versions.common;
  return { onnxruntimeVersion, providers };
}
