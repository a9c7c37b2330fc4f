/* timtin: full-text search for Vietnamese health news. The umbrella header. */
#ifndef TIMTIN_H
#define TIMTIN_H

#define TIMTIN_VERSION "0.1.0"

#include "timtin/errors.h"
#include "timtin/analyze.h"
#include "timtin/article.h"

#endif
