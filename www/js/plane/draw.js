// Draw your own data set: pointer events on a plane canvas (mouse, pen, touch) add points; a press
// starts a stroke (one undo step), dragging adds points at least `SPACING` apart.

const SPACING = 0.03;

/** `onPoints(points, start)` gets each batch of new plane points; `onEnd()` when a stroke ends. */
export function attachDrawing(canvas, toPlane, { enabled, onPoints, onEnd }) {
  let last = null;
  const at = (e) => {
    const r = canvas.getBoundingClientRect();
    return toPlane(e.clientX - r.left, e.clientY - r.top);
  };
  canvas.addEventListener('pointerdown', (e) => {
    if (!enabled()) return;
    e.preventDefault();
    canvas.setPointerCapture?.(e.pointerId);
    last = at(e);
    onPoints([last], true);
  });
  canvas.addEventListener('pointermove', (e) => {
    if (!last || !enabled()) return;
    const p = at(e);
    if (Math.hypot(p[0] - last[0], p[1] - last[1]) < SPACING) return;
    last = p;
    onPoints([p], false);
  });
  const end = () => {
    if (!last) return;
    last = null;
    onEnd();
  };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);
}
