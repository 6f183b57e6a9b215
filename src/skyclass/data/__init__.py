"""skyclass.data: load, validate, profile and split labelled tables (a leaf: no skyclass imports).

Example:
    >>> from skyclass.data import load_table, validate, profile, stratified_split
"""

from skyclass.data._leakage import shared_rows, single_feature_accuracy
from skyclass.data._load import iter_batches, iter_table, load_table, sniff
from skyclass.data._parsing import NULL_TOKENS, ReadFormats, read_formats
from skyclass.data._profile import profile
from skyclass.data._quality import DataQuality
from skyclass.data._schema import KINDS, ColumnSchema, Schema, canonical_array, infer_schema
from skyclass.data._split import stratified_folds, stratified_split, stratified_split_index
from skyclass.data._validate import Decision, Validation, min_class_size_for, validate

__all__ = [
    "KINDS",
    "NULL_TOKENS",
    "ColumnSchema",
    "DataQuality",
    "Decision",
    "ReadFormats",
    "Schema",
    "Validation",
    "canonical_array",
    "infer_schema",
    "iter_batches",
    "iter_table",
    "load_table",
    "min_class_size_for",
    "profile",
    "read_formats",
    "shared_rows",
    "single_feature_accuracy",
    "sniff",
    "stratified_folds",
    "stratified_split",
    "stratified_split_index",
    "validate",
]
