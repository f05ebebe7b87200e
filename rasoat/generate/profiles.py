"""District calibration profiles for the generator (data/districts/*.yaml over defaults.yaml)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from rasoat.config import data_dir


class UnknownProfileError(LookupError):
    pass


@dataclass(frozen=True)
class Profile:
    code: str
    values: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.values[key]


def load_profile(district_code: str) -> Profile:
    folder = data_dir() / "districts"
    path = folder / f"{int(district_code):03d}.yaml"
    if not path.exists():
        known = sorted(p.stem for p in folder.glob("[0-9]*.yaml"))
        raise UnknownProfileError(
            f"chưa có hồ sơ hiệu chỉnh cho huyện {district_code}; có sẵn: {', '.join(known)}"
        )
    values = yaml.safe_load((folder / "defaults.yaml").read_text(encoding="utf-8"))
    values.update(yaml.safe_load(path.read_text(encoding="utf-8")))
    return Profile(code=f"{int(district_code):03d}", values=values)


GENERIC_PROFILE = "generic.yaml"


def has_profile(district_code: str) -> bool:
    return (data_dir() / "districts" / f"{int(district_code):03d}.yaml").exists()


def profile_or_generic(district_code: str | None, birth_province: str) -> Profile:
    """The district's profile, or national shapes (`generic.yaml` over the defaults) for a unit whose
    former district has none; a generic profile's CCCD birth province is `birth_province`."""
    if district_code is not None and has_profile(district_code):
        return load_profile(district_code)
    folder = data_dir() / "districts"
    values = yaml.safe_load((folder / "defaults.yaml").read_text(encoding="utf-8"))
    values.update(yaml.safe_load((folder / GENERIC_PROFILE).read_text(encoding="utf-8")))
    values["birth_province_code"] = f"{int(birth_province):03d}"
    return Profile(code=values["code"], values=values)
