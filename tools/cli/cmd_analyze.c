/* placeholder until the analyzer lands */
#include "tools/cli/cli.h"
int tt_cmd_analyze(int argc, char **argv) { (void)argc; (void)argv; return 1; }
