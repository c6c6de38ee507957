# The configuration language on vessel_vlan: variables (types, defaults, validation), locals,
# for expressions, for_each over a map, count, references, depends_on, lifecycle, outputs.
variable "fabric" {
  type    = set(string)
  default = ["swi2", "swi3"]
}

variable "base" {
  type    = number
  default = 300
  validation {
    condition     = var.base >= 2 && var.base < 4000
    error_message = "base must be a VLAN id between 2 and 3999"
  }
}

variable "protect" {
  type    = bool
  default = false
}

locals {
  tiers = { web = 1, db = 2 }
  pairs = flatten([
    for sw in var.fabric : [
      for tier, offset in local.tiers : {
        key     = "${sw}-${tier}"
        switch  = sw
        vlan_id = var.base + offset
        tier    = tier
      }
    ]
  ])
}

resource "vessel_vlan" "tier" {
  for_each    = { for p in local.pairs : p.key => p }
  switch      = each.value.switch
  vlan_id     = each.value.vlan_id
  name        = upper(each.value.tier)
  description = format("%s tier on %s", each.value.tier, each.value.switch)
  lifecycle {
    prevent_destroy = var.protect
  }
}

resource "vessel_vlan" "spare" {
  count       = 2
  switch      = "swi2"
  vlan_id     = var.base + 10 + count.index
  description = "spare ${count.index} after ${vessel_vlan.tier["swi2-web"].name}"
  depends_on  = [vessel_vlan.tier]
}

output "web_ids" {
  value = [for k, v in vessel_vlan.tier : v.vlan_id if v.name == "WEB"]
}
