// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * wasi-hal's SPI loopback controller, for the VM tests (tests/vm, docs/kernel-tests.md).
 *
 * One SPI controller with one device on chip select 0, bound to the kernel's spidev (through
 * one of the device names spidev accepts), so /dev/spidevB.0 appears. Every byte sent on MOSI
 * comes back on MISO in the same transfer; a transfer that sends nothing reads 0xFF (nothing
 * drives MISO). What the controller was asked for is counted and readable as module
 * parameters under /sys/module/spi_loopback/parameters/: the messages and transfers it ran,
 * and the length, clock and mode of the last transfer, so a test sees what the host's ioctls
 * really asked for.
 */
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/spi/spi.h>
#include <linux/string.h>

static unsigned int messages;
module_param(messages, uint, 0444);
MODULE_PARM_DESC(messages, "SPI messages run");

static unsigned int transfers;
module_param(transfers, uint, 0444);
MODULE_PARM_DESC(transfers, "SPI transfers run");

static unsigned int bytes;
module_param(bytes, uint, 0444);
MODULE_PARM_DESC(bytes, "bytes moved, all transfers");

static unsigned int last_len;
module_param(last_len, uint, 0444);
MODULE_PARM_DESC(last_len, "length of the last transfer");

static unsigned int last_speed_hz;
module_param(last_speed_hz, uint, 0444);
MODULE_PARM_DESC(last_speed_hz, "clock of the last transfer");

static unsigned int last_mode;
module_param(last_mode, uint, 0444);
MODULE_PARM_DESC(last_mode, "SPI mode bits of the device in the last transfer (CPHA 1, CPOL 2, LSB first 8)");

static unsigned int max_speed_hz = 20000000;
module_param(max_speed_hz, uint, 0444);
MODULE_PARM_DESC(max_speed_hz, "the device's and controller's highest clock");

static struct platform_device *pdev;
static struct spi_controller *ctlr;
static struct spi_device *device;

static int loopback_prepare_message(struct spi_controller *c, struct spi_message *msg)
{
	messages++;
	return 0;
}

static int loopback_transfer_one(struct spi_controller *c, struct spi_device *spi,
				 struct spi_transfer *t)
{
	if (t->rx_buf) {
		if (t->tx_buf)
			memcpy(t->rx_buf, t->tx_buf, t->len);
		else
			memset(t->rx_buf, 0xff, t->len);
	}
	transfers++;
	bytes += t->len;
	last_len = t->len;
	last_speed_hz = t->speed_hz;
	last_mode = spi->mode & (SPI_CPHA | SPI_CPOL | SPI_LSB_FIRST);
	/* Done at once: nothing to wait for. */
	return 0;
}

static int __init loopback_init(void)
{
	struct spi_board_info info = {
		/* A name spidev's id table lists: spidev binds to it. */
		.modalias = "dh2228fv",
		.chip_select = 0,
		.mode = SPI_MODE_0,
	};
	int ret;

	pdev = platform_device_register_simple("wasi-hal-spi-loopback", -1, NULL, 0);
	if (IS_ERR(pdev))
		return PTR_ERR(pdev);
	ctlr = spi_alloc_master(&pdev->dev, 0);
	if (!ctlr) {
		ret = -ENOMEM;
		goto err_pdev;
	}
	ctlr->bus_num = -1;
	ctlr->num_chipselect = 1;
	ctlr->mode_bits = SPI_CPHA | SPI_CPOL | SPI_LSB_FIRST;
	ctlr->bits_per_word_mask = SPI_BPW_MASK(8);
	ctlr->min_speed_hz = 1000;
	ctlr->max_speed_hz = max_speed_hz;
	ctlr->prepare_message = loopback_prepare_message;
	ctlr->transfer_one = loopback_transfer_one;
	ret = spi_register_controller(ctlr);
	if (ret) {
		spi_controller_put(ctlr);
		goto err_pdev;
	}
	info.max_speed_hz = max_speed_hz;
	device = spi_new_device(ctlr, &info);
	if (!device) {
		ret = -ENODEV;
		goto err_ctlr;
	}
	return 0;

err_ctlr:
	spi_unregister_controller(ctlr);
err_pdev:
	platform_device_unregister(pdev);
	return ret;
}

static void __exit loopback_exit(void)
{
	spi_unregister_device(device);
	spi_unregister_controller(ctlr);
	platform_device_unregister(pdev);
}

module_init(loopback_init);
module_exit(loopback_exit);
MODULE_DESCRIPTION("SPI loopback controller for wasi-hal's VM tests");
/* Dual licensed: the kernel counts "Dual MIT/GPL" as GPL-compatible (it links against the SPI
 * core's GPL-only symbols), and MIT keeps this test-only file compatible with the project's
 * Apache-2.0 licence. */
MODULE_LICENSE("Dual MIT/GPL");
