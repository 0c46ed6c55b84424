// libpri's C header, which has no extern "C" guard of its own.
#pragma once

extern "C" {
#include <libpri.h>
}
