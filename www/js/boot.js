// Entry point: a 2-D data set in `dataset=` (plane/url.js) starts the 2-D mode, anything else the image mode.
import { isPlaneDataset } from './plane/url.js';

const search = new URLSearchParams(window.location.search);
if (isPlaneDataset(search.get('dataset'))) {
  import('./plane/page.js').then((m) => m.startPlane(window.location.search));
} else {
  import('./main.js');
}
