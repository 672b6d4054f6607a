// DOM building for the views: one element with its properties and children.

/** `tag` with `props` assigned (DOM properties, e.g. className, ariaHidden) and `children` appended. */
export const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
};
