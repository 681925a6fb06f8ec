#pragma once
// LaTeX normalisation before parsing (latex2sympy2_extended's normalize_latex): \boxed{}
// extraction, \left/\right, \dfrac, text wrappers, units, percent words, malformed operators.
#include <string>
#include <string_view>

#include "reason/math/verify.h"

namespace reason::math::detail {

std::string normalize_latex(std::string_view text, const NormalizationConfig& config);

// Content of the \boxed{...} / \fbox{...} groups, searched from the right. Last: the last box
// and the boxes just before it that are separated by a comma/"and"/"or"; All: every box.
// Returns the text unchanged when it has no box.
std::string extract_boxed_content(std::string_view text, BoxedMode mode);

// Python's str.strip().
std::string py_strip(std::string_view s);

}  // namespace reason::math::detail
