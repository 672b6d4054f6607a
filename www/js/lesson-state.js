// The store's named updates for lessons (store.js spreads them into UPDATES, so the store stays the
// only writer of page state). `state.lesson` is null (no lesson), `{id: null}` (the lesson index) or
// `{id, step, ticked: [step indices whose observation has been seen]}`. DOM-free.

export const LESSON_UPDATES = {
  /** Opens lesson `id` at its first step; `id` null or '' opens the index. */
  openLesson(state, { id }) {
    state.lesson = { id: id || null, step: 0, ticked: [] };
  },
  /** Moves to step `step` of the open lesson (bounded by the caller, which knows the lesson). */
  lessonStep(state, { step }) {
    if (!state.lesson?.id) return null;
    state.lesson.step = step;
    return { step };
  },
  /** Marks the observation of step `step` as seen. */
  lessonTick(state, { step }) {
    if (!state.lesson?.id || state.lesson.ticked.includes(step)) return null;
    state.lesson.ticked = [...state.lesson.ticked, step];
    return { step };
  },
  closeLesson(state) {
    state.lesson = null;
  },
};
