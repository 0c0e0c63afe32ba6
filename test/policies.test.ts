import { importFolder } from './helpers/suite.js';

importFolder(new URL('./policies/', import.meta.url));
