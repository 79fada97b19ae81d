#pragma once
// Debian's libxml2 headers pull in ICU, whose UErrorCode clashes with Foundation's when both are imported:
// turn ICU support off before the rest of libxml2 is included.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/entities.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

/// `xmlFree` is a global function pointer, which Swift 6 rejects as shared mutable state: call it from C.
static inline void copydesk_xml_free(void *pointer) { xmlFree(pointer); }
