"""One validated settings object, env prefix INKOOP_, built once at the edge (CLI, app)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="INKOOP_", extra="ignore")

    data_dir: Path = Field(Path("data"), description="Where the index lives")
    embedding_model: str = Field(
        "bundled",
        description="'bundled' (all-MiniLM-L6-v2), a local model path, or 'hashing' (tests)",
    )
    chroma_url: str | None = Field(None, description="http://host:port of a Chroma server")
    top_k: int = Field(6, ge=1, le=50)
    chunk_words: int = Field(90, ge=30, le=400)
    chunk_overlap: int = Field(15, ge=0, le=100)
    min_coverage: float = Field(0.55, ge=0.0, le=1.0, description="refusal threshold")
    dense_weight: float | None = Field(
        None, ge=0.0, le=5.0, description="weight of vector search; default per embedder"
    )
    fusion: Literal["zscore", "rrf"] = "zscore"
    lexical_weight: float = Field(1.0, ge=0.0, le=5.0)
    host: str = "127.0.0.1"
    port: int = 7860
    staff_port: int | None = Field(
        None, description="serve the staff page (NvI workbench, intern documents) on this port"
    )
    staff_host: str = Field("127.0.0.1", description="bind address of the staff page")
    staff_password: SecretStr | None = Field(
        None, description="password of the staff page; required unless it binds to loopback"
    )
    llm_backend: Literal["none", "openai", "ollama", "llamacpp"] = Field(
        "none", description="generative answers: none (extractive only) or a chat backend"
    )
    llm_base_url: str | None = Field(None, description="OpenAI-compatible or Ollama URL")
    llm_model: str | None = Field(
        None, description="model name, or GGUF path for llamacpp (default: the installed one)"
    )
    llm_api_key: SecretStr | None = Field(None, description="bearer key (openai)")
    llm_timeout: float = Field(60.0, gt=0, le=600, description="seconds per model call")
