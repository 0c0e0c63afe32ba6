import { importFolder } from './helpers/suite.js';

importFolder(new URL('./cli/', import.meta.url));
