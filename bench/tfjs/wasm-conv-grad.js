// Conv2DBackpropFilter for TF.js's wasm backend, which (4.22.0) has no such kernel: without it no convolution's
// filter gradient exists there, so the DCGAN cannot train. Built only from that backend's own kernels
// (Transpose, Conv2D via XNNPACK), so the figure stays a wasm-backend figure:
//   dW[kh,kw,ci,co] = Σ_{n,oh,ow} x[n, oh·s + kh − pt, ow·s + kw − pl, ci] · dy[n,oh,ow,co]
// is a stride-1 convolution of x as [ci, H, W, n] with dy as a [OH, OW, n, co] filter dilated by s.

/** Registers the kernel on the 'wasm' backend (once). Returns false when it is already there. */
export function registerWasmConvFilterGrad() {
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm')) return false;
  const transposeKernel = tf.getKernel('Transpose', 'wasm').kernelFunc;
  const convKernel = tf.getKernel('Conv2D', 'wasm').kernelFunc;
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc({ inputs, backend, attrs }) {
      const { x, dy } = inputs;
      const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
      if (dataFormat && dataFormat !== 'NHWC') throw new Error('wasm Conv2DBackpropFilter shim: NHWC only');
      const info = tf.backend_util.computeConv2DInfo(x.shape, filterShape, strides, 1, pad, dimRoundingMode);
      const [, h, w] = x.shape;
      const { top, left } = info.padInfo;
      const bottom = info.filterHeight + (info.outHeight - 1) * info.strideHeight - h - top;
      const right = info.filterWidth + (info.outWidth - 1) * info.strideWidth - w - left;
      if (bottom < 0 || right < 0) throw new Error('wasm Conv2DBackpropFilter shim: unsupported padding');
      const xT = transposeKernel({ inputs: { x }, backend, attrs: { perm: [3, 1, 2, 0] } });
      const dyT = transposeKernel({ inputs: { x: dy }, backend, attrs: { perm: [1, 2, 0, 3] } });
      const conv = convKernel({
        inputs: { x: xT, filter: dyT },
        backend,
        attrs: {
          strides: 1, pad: [[0, 0], [top, bottom], [left, right], [0, 0]], dataFormat: 'NHWC',
          dilations: [info.strideHeight, info.strideWidth], dimRoundingMode: undefined,
        },
      });
      const out = transposeKernel({ inputs: { x: conv }, backend, attrs: { perm: [1, 2, 0, 3] } });
      for (const t of [xT, dyT, conv]) backend.disposeData(t.dataId);
      return out;
    },
  });
  return true;
}

/** Checks the shim against the cpu backend's kernel on a small case; throws if they differ. */
export async function checkWasmConvFilterGrad() {
  const [xShape, dyShape, filterShape] = [[3, 10, 10, 2], [3, 5, 5, 4], [4, 4, 2, 4]];
  const xs = Float32Array.from({ length: 600 }, (_, i) => Math.sin(i * 0.37));
  const dys = Float32Array.from({ length: 300 }, (_, i) => Math.cos(i * 0.11));
  const attrs = { strides: 2, pad: 1, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape };
  const grad = () => tf.tidy(() => tf.engine().runKernel('Conv2DBackpropFilter', { x: tf.tensor(xs, xShape), dy: tf.tensor(dys, dyShape) }, attrs));
  const onWasm = grad();
  const want = await onWasm.data();
  onWasm.dispose();
  await tf.setBackend('cpu');
  const ref = grad();
  const got = await ref.data();
  ref.dispose();
  await tf.setBackend('wasm');
  const err = want.reduce((m, v, i) => Math.max(m, Math.abs(v - got[i])), 0);
  if (!(err < 1e-3)) throw new Error(`wasm Conv2DBackpropFilter shim differs from the cpu kernel by ${err}`);
  return err;
}
