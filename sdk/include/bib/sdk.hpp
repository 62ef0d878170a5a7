// Everything a plugin author needs, in one include.
#pragma once

#include "bib/clock.hpp"
#include "bib/codec.hpp"
#include "bib/component.hpp"
#include "bib/context.hpp"
#include "bib/discovery.hpp"
#include "bib/event_loop.hpp"
#include "bib/persistence.hpp"
#include "bib/plugin.hpp"
#include "bib/replication.hpp"
#include "bib/result.hpp"
#include "bib/service.hpp"
#include "bib/value.hpp"
