"""Text analysis shared by the tokenizers: documents, tokens and n-grams.

:class:`SequenceTokenizer` and :class:`HashingSequenceTokenizer` read texts
alike (the same checks, preprocessing, token pattern and n-gram layout); they
differ only in how a token becomes an id, a learnt vocabulary or a hash. The
ids of all texts are then held flat, in :mod:`._ragged_ids`.
"""

import re
import warnings
from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import StrOptions

#: Code point ranges of the scripts written without spaces between words:
#: Thai, Lao, Myanmar, Khmer, the Japanese kana, the ideographs of Chinese and
#: Japanese (and their iteration marks 々〆〇). The default pattern makes each
#: of their letters a token, as multilingual tokenizers (BERT's) do for
#: ideographs, so that word n-grams become character n-grams there: without
#: it, a Chinese clause was one token, and 63% of ChnSentiCorp's test tokens
#: were never seen in training. Korean, written with spaces, is not here.
UNSPACED_SCRIPT_RANGES = (
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0x3005, 0x3007),  # 々〆〇
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x31F0, 0x31FF),  # Katakana phonetic extensions
    (0x3400, 0x4DBF),  # CJK ideographs, extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFF66, 0xFF9F),  # halfwidth Katakana
    (0x20000, 0x3134F),  # CJK ideographs, extensions B to G
)


def _escaped(code_point):
    return f"\\u{code_point:04x}" if code_point < 0x10000 else f"\\U{code_point:08x}"


_UNSPACED = "".join(
    f"{_escaped(low)}-{_escaped(high)}" for low, high in UNSPACED_SCRIPT_RANGES
)

# Words with inner apostrophes ("don't", "it's") stay one token and one-letter
# words ("i", "a", the "7" of "7/10") are kept: negations and ratings carry
# sentiment. Each letter of a script written without spaces is a token of its
# own (UNSPACED_SCRIPT_RANGES). No ``\b`` anchors: ``findall`` resumes after a
# non-word character, so they change nothing but cost time.
DEFAULT_TOKEN_PATTERN = (
    rf"(?=[{_UNSPACED}])\w"
    rf"|(?:(?![{_UNSPACED}])\w)+(?:'(?:(?![{_UNSPACED}])\w)+)*"
)

_HTML_LINE_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_WHITE_SPACES = re.compile(r"\s\s+")

#: The ``analyzer`` values that name a way of cutting a text, as in
#: scikit-learn's CountVectorizer (a callable is the other kind).
ANALYZERS = ("word", "char", "char_wb")


class _WordCharacterTable(dict):
    r"""``str.translate`` table of ``DEFAULT_TOKEN_PATTERN``'s characters.

    Word characters (``\w``, asked of ``re`` itself) and apostrophes map to
    themselves, every other character to a space, and a word character of a
    script written without spaces to itself between two spaces: a word of
    its own. Filled as characters are first met: most texts use a few
    hundred code points.
    """

    _word_character = re.compile(r"\w").fullmatch

    def __missing__(self, code_point):
        character = chr(code_point)
        if self._word_character(character) is None:
            self[code_point] = "'" if character == "'" else " "
        elif is_unspaced(code_point):
            self[code_point] = f" {character} "
        else:
            self[code_point] = character
        return self[code_point]


def is_unspaced(code_points):
    """Whether each code point (an int or an integer array) belongs to a
    script written without spaces (``UNSPACED_SCRIPT_RANGES``)."""
    code_points = np.asarray(code_points)
    found = np.zeros(code_points.shape, dtype=bool)
    for low, high in UNSPACED_SCRIPT_RANGES:
        found |= (code_points >= low) & (code_points <= high)
    return found


_WORD_CHARACTERS = _WordCharacterTable()


def _default_pattern_words(text):
    """The tokens ``DEFAULT_TOKEN_PATTERN`` finds in ``text``, in order.

    The same list as the pattern's ``findall``, found with ``str`` methods,
    about a third faster: the pattern matches each word character of a
    script written without spaces alone, and the maximal runs of other word
    characters and of apostrophes that stand between two of them. Every
    other character becomes a space, and spaces surround each letter of an
    unspaced script; then every apostrophe next to a space, to another
    apostrophe or to an end of the text becomes a space too.
    """
    if not isinstance(text, str):
        raise TypeError(f"preprocessor must return a str, got {type(text).__name__}.")
    text = text.translate(_WORD_CHARACTERS)
    if "'" in text:
        # Runs of apostrophes first, two by two: an odd run keeps one, now
        # after a space. The spaces around the text stand for its ends.
        text = f" {text} ".replace("''", "  ").replace(" '", "  ").replace("' ", "  ")
    return text.split()


def _char_ngrams(text, min_n, max_n):
    """The character n-grams of ``text``, by increasing n, each n in text
    order; runs of white space count as one space. CountVectorizer's
    ``analyzer="char"``."""
    text = _WHITE_SPACES.sub(" ", text)
    return [
        text[start : start + n]
        for n in range(min_n, max_n + 1)
        for start in range(len(text) - n + 1)
    ]


def _char_wb_ngrams(text, min_n, max_n):
    """The character n-grams of each word of ``text`` with a space on each
    side, word by word, by increasing n within a word; a word shorter than
    an n gives that n one n-gram, itself padded, and stops there.
    CountVectorizer's ``analyzer="char_wb"``, in its order."""
    ngrams = []
    for word in text.split():
        padded = f" {word} "
        for n in range(min_n, max_n + 1):
            last_start = max(len(padded) - n, 0)
            ngrams.extend(padded[start : start + n] for start in range(last_start + 1))
            if last_start == 0:
                break
    return ngrams


def _word_ngrams(tokens, min_n, max_n):
    """Return the n-grams of ``tokens``, shortest first, in text order.

    Unigrams (when ``min_n == 1``) come first, then all bigrams, then all
    trigrams..., the order CountVectorizer uses. ``tokens`` may be reused.
    """
    ngrams = tokens if min_n == 1 else []
    words = tuple(tokens)
    for n in range(max(min_n, 2), max_n + 1):
        shifted = [words[start:] for start in range(n)]
        ngrams.extend(map(" ".join, zip(*shifted)))
    return ngrams


def _checked_tokens(function, name):
    """``function`` (a user's ``analyzer`` or ``tokenizer``) made to return
    a list of ``str``, or to say clearly what it returned instead."""

    def tokens_of(text):
        tokens = function(text)
        if not isinstance(tokens, str):
            tokens = list(tokens)
        if isinstance(tokens, str) or not all(isinstance(t, str) for t in tokens):
            raise TypeError(
                f"{name} must return a list of str tokens, got "
                f"{tokens!r:.60} for the text {text!r:.40}."
            )
        return tokens

    return tokens_of


def _strip_html_line_breaks(text):
    # A space, not nothing: "end.<br />Next" must still split into two words.
    return _HTML_LINE_BREAK.sub(" ", text)


def _strip_html_line_breaks_and_lowercase(text):
    return _strip_html_line_breaks(text).lower()


def _check_document_collection(raw_documents):
    """Reject what cannot be a collection of texts, without iterating over it.

    ``fit`` of a stateless tokenizer checks no more, so that a stream of
    texts (a generator) is left for ``transform`` to read.
    """
    if isinstance(raw_documents, str):
        raise ValueError(
            "Iterable over raw text documents expected, string object received."
        )
    if isinstance(raw_documents, (bytes, bytearray)):
        raise ValueError(
            "Iterable over raw text documents expected, bytes object received."
        )
    if getattr(raw_documents, "ndim", 1) != 1:
        raise ValueError(
            "Expected a 1-D collection of text documents, got an object with "
            f"shape {getattr(raw_documents, 'shape', None)}."
        )


def _check_documents(raw_documents):
    """Return the documents as a list of ``str``; never modify the input."""
    _check_document_collection(raw_documents)
    if hasattr(raw_documents, "tolist"):
        # numpy arrays and pandas Series: tolist yields plain Python objects.
        documents = raw_documents.tolist()
    else:
        try:
            documents = list(raw_documents)
        except TypeError:
            raise TypeError(
                "Iterable over raw text documents expected, got "
                f"{type(raw_documents).__name__}."
            ) from None
    for index, document in enumerate(documents):
        if not isinstance(document, str):
            raise TypeError(
                f"Document at position {index} is of type "
                f"{type(document).__name__} ({document!r:.40}); every document "
                "must be a str."
            )
    return documents


class _TextAnalysisMixin:
    """The text options of the tokenizers, the functions they build, the tags.

    A class using it, left of ``TransformerMixin``, has the parameters
    ``lowercase``, ``token_pattern``, ``preprocessor``, ``tokenizer``,
    ``analyzer``, ``ngram_range`` and ``binary``, constrained by
    ``_text_parameter_constraints``.
    """

    _text_parameter_constraints: dict = {
        "lowercase": ["boolean"],
        "token_pattern": [str],
        "preprocessor": [callable, None],
        "tokenizer": [callable, None],
        "analyzer": [StrOptions(set(ANALYZERS)), callable],
        "ngram_range": [tuple],
        "binary": ["boolean"],
    }

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        # The output is integer ids, not the input's float dtype.
        tags.transformer_tags.preserves_dtype = []
        return tags

    def _build_preprocessor(self):
        """Return the function applied to each text before tokenizing."""
        if self.preprocessor is not None:
            return self.preprocessor
        if self.lowercase:
            return _strip_html_line_breaks_and_lowercase
        return _strip_html_line_breaks

    def _build_word_analyzer(self):
        """Return a function mapping one text to its list of words."""
        if self.tokenizer is not None:
            find_tokens = _checked_tokens(self.tokenizer, "tokenizer")
        elif self.token_pattern == DEFAULT_TOKEN_PATTERN:
            find_tokens = _default_pattern_words
        else:
            find_tokens = self._compile_token_pattern().findall
        preprocess = self._build_preprocessor()

        def find_words(text):
            return find_tokens(preprocess(text))

        return find_words

    def _build_analyzer(self):
        """Return a function mapping one text to its list of tokens, each
        token once with ``binary``."""
        tokens_of = self._build_token_analyzer()
        if not self.binary:
            return tokens_of

        def analyze(text):
            # A dict keeps insertion order: first occurrences, in text order.
            return list(dict.fromkeys(tokens_of(text)))

        return analyze

    def _build_token_analyzer(self):
        """Return a function mapping one text to its list of tokens, repeats
        included: its words and word n-grams, its character n-grams, or what
        a callable ``analyzer`` returns."""
        min_n, max_n = self._check_ngram_range()
        if callable(self.analyzer):
            # As in CountVectorizer: the callable gets the raw text.
            tokens_of = _checked_tokens(self.analyzer, "analyzer")
        elif self.analyzer == "word":
            find_words = self._build_word_analyzer()
            if (min_n, max_n) == (1, 1):
                tokens_of = find_words
            else:
                def tokens_of(text):
                    return _word_ngrams(find_words(text), min_n, max_n)
        else:
            ngrams = _char_ngrams if self.analyzer == "char" else _char_wb_ngrams
            preprocess = self._build_preprocessor()

            def tokens_of(text):
                return ngrams(preprocess(text), min_n, max_n)

        return tokens_of

    def _reads_words(self):
        """Whether the tokens are the words and word n-grams of the texts,
        which the tokenizers count and hash as integer keys."""
        return self.analyzer == "word"

    def _warn_unused_parameters(self):
        """Warn, as CountVectorizer does, of a parameter the analyzer ignores."""
        if self.tokenizer is not None and self.analyzer != "word":
            warnings.warn(
                f"tokenizer is ignored: analyzer={self.analyzer!r} is not 'word'.",
                UserWarning,
            )
        if self.tokenizer is not None and self.token_pattern != DEFAULT_TOKEN_PATTERN:
            warnings.warn(
                "token_pattern is ignored: tokenizer finds the words.", UserWarning
            )

    def _compile_token_pattern(self):
        try:
            pattern = re.compile(self.token_pattern)
        except re.error as error:
            raise ValueError(
                f"token_pattern={self.token_pattern!r} is not a valid regular "
                f"expression: {error}"
            ) from error
        if pattern.groups > 1:
            raise ValueError(
                f"token_pattern={self.token_pattern!r} has {pattern.groups} "
                "capturing groups; at most one is allowed (it selects the token)."
            )
        return pattern

    def _check_ngram_range(self):
        ngram_range = self.ngram_range
        if (
            len(ngram_range) != 2
            or not all(isinstance(n, Integral) for n in ngram_range)
            or not 1 <= ngram_range[0] <= ngram_range[1]
        ):
            raise ValueError(
                f"Invalid ngram_range={ngram_range!r}: expected (min_n, max_n) "
                "with integers 1 <= min_n <= max_n."
            )
        return int(ngram_range[0]), int(ngram_range[1])
