import { importFolder } from './helpers/suite.js';

importFolder(new URL('./engines/', import.meta.url));
