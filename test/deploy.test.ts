import { importFolder } from './helpers/suite.js';

importFolder(new URL('./deploy/', import.meta.url));
