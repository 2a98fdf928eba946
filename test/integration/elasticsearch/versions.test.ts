import { versionSuite } from './versions-suite.js';

versionSuite('elasticsearch through the CLI: 7.x and 9.x clusters', [
  ['7.4.2', undefined, '_template'],
  ['9.0.1', undefined, '_index_template'],
]);
