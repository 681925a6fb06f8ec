// Tokenizer throughput: encodes (and decodes) a few MB of mixed text that the program writes
// itself (English prose, LaTeX, Python/C++ code, Chinese), one document at a time as a trainer
// would, and prints MB/s. Not a timed test: ctest runs a tiny size so that it keeps working.
//   bench_tokenizer [--mb N] [--tokenizer DIR]
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "reason/tokenizer/tokenizer.h"

namespace {

// CPU time of this thread: on a shared machine wall time also counts other processes' work.
double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

const char* kWords[] = {"the", "of", "and", "to", "in", "is", "that", "for", "it", "as", "was", "with", "be", "by",
                        "on", "not", "he", "this", "are", "or", "his", "from", "at", "which", "but", "have", "an",
                        "had", "they", "you", "were", "their", "one", "all", "we", "can", "her", "has", "there",
                        "been", "if", "more", "when", "will", "would", "who", "so", "no", "number", "triangle",
                        "probability", "sequence", "integer", "polynomial", "therefore", "consider", "answer",
                        "function", "derivative", "equation", "solution", "because", "remainder", "divisible",
                        "reasoning", "carefully", "compute", "substitute", "simplify", "geometry", "circle"};
const char* kLatex[] = {"\\frac{a_{n}}{b^{2}}", "\\sqrt{x^2+1}", "\\sum_{k=1}^{n} k^2", "\\int_0^1 f(x)\\,dx",
                        "\\binom{n}{k}", "\\boxed{42}", "x \\equiv 3 \\pmod{7}", "\\left(\\frac{1}{2}\\right)^{n}",
                        "\\alpha + \\beta = \\gamma", "\\lim_{x \\to 0} \\frac{\\sin x}{x} = 1", "\\cdot", "\\leq"};
const char* kCode[] = {"def solve(n):\n    total = 0\n    for i in range(1, n + 1):\n        total += i * i\n    return total\n",
                       "for (int64_t i = 0; i < n; ++i) {\n  acc[i % 8] += values[i] * weights[i];\n}\n",
                       "if __name__ == \"__main__\":\n    print(solve(int(input())))\n",
                       "std::vector<std::string> parts = split(line, ',');\nreturn parts.empty() ? -1 : std::stoi(parts[0]);\n",
                       "    result = {k: v for k, v in items.items() if v is not None}\n"};

void append_cjk(std::string& out, std::mt19937& rng, int chars) {
  std::uniform_int_distribution<int> common(0x4E00, 0x62FF);  // frequent CJK block range
  for (int i = 0; i < chars; ++i) {
    char32_t c = (i % 17 == 16) ? 0x3002 : (i % 7 == 6) ? 0xFF0C : static_cast<char32_t>(common(rng));
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

std::string document(std::mt19937& rng, int kind) {
  std::string d;
  std::uniform_int_distribution<std::size_t> word(0, sizeof kWords / sizeof *kWords - 1);
  std::uniform_int_distribution<std::size_t> latex(0, sizeof kLatex / sizeof *kLatex - 1);
  std::uniform_int_distribution<std::size_t> code(0, sizeof kCode / sizeof *kCode - 1);
  std::uniform_int_distribution<int> number(0, 99999);
  while (d.size() < 2048) {
    switch (kind) {
      case 0:  // prose
        for (int w = 0; w < 14; ++w) {
          std::string t = kWords[word(rng)];
          if (w == 0) t[0] = static_cast<char>(std::toupper(t[0]));
          d += t + (w == 13 ? ". " : w % 5 == 4 ? ", " : " ");
        }
        if (number(rng) % 4 == 0) d += "\n\n";
        break;
      case 1:  // LaTeX
        d += "We have $" + std::string(kLatex[latex(rng)]) + " = " + std::to_string(number(rng)) + "$, so ";
        d += "$$" + std::string(kLatex[latex(rng)]) + " + " + kLatex[latex(rng)] + "$$\n";
        break;
      case 2:  // code
        d += kCode[code(rng)];
        break;
      default:  // Chinese
        append_cjk(d, rng, 40);
        d += "\n";
        break;
    }
  }
  return d;
}

}  // namespace

int main(int argc, char** argv) {
  double mb = 4;
  std::string dir = REASON_QWEN_TOKENIZER_DIR;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--mb") && i + 1 < argc) {
      mb = std::atof(argv[++i]);
    } else if (!std::strcmp(argv[i], "--tokenizer") && i + 1 < argc) {
      dir = argv[++i];
    } else {
      std::fprintf(stderr, "usage: %s [--mb N] [--tokenizer DIR]\n", argv[0]);
      return 2;
    }
  }
  try {
    auto t0 = std::chrono::steady_clock::now();
    auto tok = reason::load_tokenizer(dir);
    const double load_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    std::mt19937 rng(1234);
    std::vector<std::string> docs;
    std::size_t bytes = 0;
    while (bytes < mb * 1e6) {
      docs.push_back(document(rng, static_cast<int>(docs.size() % 4)));
      bytes += docs.back().size();
    }

    std::vector<std::vector<int64_t>> ids(docs.size());
    std::size_t tokens = 0;
    t0 = std::chrono::steady_clock::now();
    double c0 = thread_cpu_seconds();
    for (std::size_t i = 0; i < docs.size(); ++i) {
      ids[i] = tok->encode(docs[i]);
      tokens += ids[i].size();
    }
    const double enc_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double enc_cpu = thread_cpu_seconds() - c0;

    std::size_t mismatches = 0;
    c0 = thread_cpu_seconds();
    for (std::size_t i = 0; i < docs.size(); ++i) mismatches += tok->decode(ids[i]) != docs[i];
    const double dec_cpu = thread_cpu_seconds() - c0;

    std::printf("tokenizer %s (%s), loaded in %.2f s\n", dir.c_str(), tok->kind().c_str(), load_s);
    std::printf("text: %.2f MB in %zu documents (prose, LaTeX, code, Chinese), %zu tokens (%.2f bytes/token)\n",
                bytes / 1e6, docs.size(), tokens, static_cast<double>(bytes) / static_cast<double>(tokens));
    std::printf("encode: %.2f MB/s, %.0f tokens/s per CPU-second of one thread (%.2f MB/s wall clock)\n",
                bytes / 1e6 / enc_cpu, tokens / enc_cpu, bytes / 1e6 / enc_s);
    std::printf("decode: %.2f MB/s, %.0f tokens/s per CPU-second\n", bytes / 1e6 / dec_cpu, tokens / dec_cpu);
    if (mismatches) {
      std::fprintf(stderr, "error: %zu documents did not decode back to their text\n", mismatches);
      return 1;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
