/** Exit codes: 0 success / gate passed, 1 gate failed, 2 error. */
export const EXIT_OK = 0;
export const EXIT_GATE_FAILED = 1;
export const EXIT_ERROR = 2;
