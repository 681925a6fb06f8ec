#pragma once
// SentencePiece `.model` files and training, through libsentencepiece. The library runs in its
// own link-map namespace (a small wrapper loaded with dlmopen), because Debian's
// libsentencepiece and LibTorch carry conflicting protobuf copies (docs/tokenizers.md).
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "reason/tokenizer/tokenizer.h"
#include "reason/tokenizer/tokenizer_config.h"

namespace reason {

// Without a tokenizer_config.json, bos/eos/pad come from the model and add_special_tokens adds
// the model's bos (as Hugging Face's LlamaTokenizer does by default).
std::unique_ptr<Tokenizer> load_sentencepiece(const std::string& model_path, const TokenizerConfig& config = {});

struct SentencePieceTrainOptions {
  std::vector<std::string> texts;  // training sentences, one per element, or
  std::string input_file;          // a text file, one sentence per line
  int vocab_size = 8000;
  std::string model_type = "unigram";  // unigram | bpe | char | word
  std::vector<std::string> user_defined_symbols;  // always one piece, matched in text
  std::vector<std::string> control_symbols;       // ids reserved, never produced from text
  double character_coverage = 1.0;
  bool byte_fallback = false;
  unsigned seed = 0;             // makes training reproducible
  bool verbose = false;          // sentencepiece's own progress log on stderr
  std::map<std::string, std::string> extra;  // any other spm_train flag, without "--"
};

// Trains a model and writes it to `output_model_path` (atomically). Throws InvalidArgument for
// bad options (sentencepiece's message included), IoError for files.
void train_sentencepiece(const SentencePieceTrainOptions& options, const std::string& output_model_path);

}  // namespace reason
